"""Command line: train a network on any dataset, save it, evaluate a saved one.

    python -m nnpy train --dataset digits --hidden 32,16 --activation relu --optimizer adam \\
        --epochs 30 --seed 0 --json --save model.npz
    python -m nnpy evaluate --model model.npz --json
    python -m nnpy list

Settings left out come from ``nnpy.datasets.DEFAULTS[dataset]``. Bad arguments print ONE line
on stderr and exit with status 2; a run that fails (missing data file, diverging loss, unreadable
model) prints one line and exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from . import activations, datasets, features, initializers, losses, optimizers, regularizers
from . import serialization, training

EXIT_USAGE = 2
EXIT_FAILURE = 1


class UsageError(Exception):
    """An argument combination the parser alone cannot reject."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (``nnpy train: error: ...``), exit status 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


# ----- argument types: each raises ArgumentTypeError with a message that names the rule

def _number(text, kind, low, high, low_open=False):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}")
    if not math.isfinite(value) or value < low or (low_open and value == low) or value > high:
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise argparse.ArgumentTypeError(f"{text} is outside {interval}")
    return value


def positive_int(high):
    return lambda text: _number(text, int, 1, high)


def fraction(text):
    return _number(text, float, 0.0, 1.0)


def open_fraction(text):
    value = _number(text, float, 0.0, 1.0, low_open=True)
    if value == 1.0:
        raise argparse.ArgumentTypeError(f"{text} must be below 1")
    return value


def rate(text):
    return _number(text, float, 0.0, 10.0)


def learning_rate(text):
    return _number(text, float, 0.0, 10.0, low_open=True)


def hidden_sizes(text):
    """``32,16`` -> [32, 16]; ``""``, ``0`` or ``none`` -> [] (no hidden layer)."""
    if text.strip().lower() in ("", "0", "none"):
        return []
    sizes = [_number(part.strip(), int, 1, 1024) for part in text.split(",")]
    if len(sizes) > 16:
        raise argparse.ArgumentTypeError(f"at most 16 hidden layers, got {len(sizes)}")
    return sizes


def feature_list(text):
    names = [part.strip() for part in text.split(",") if part.strip()]
    try:
        return features.check_names(names)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err))


# ----- the parser

def build_parser() -> Parser:
    parser = Parser(prog="nnpy", description="Train and evaluate small pure-numpy neural networks.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,evaluate,list}")

    train = commands.add_parser("train", help="train a network on a dataset",
                                description="Train a network; settings not given come from the dataset's defaults.")
    train.add_argument("--dataset", required=True, choices=datasets.names())
    train.add_argument("--n", type=positive_int(1_000_000), help="number of examples (default: per dataset)")
    train.add_argument("--noise", type=fraction, help="noise level in [0, 1] for the 2-D and 1-D datasets")
    train.add_argument("--test-ratio", type=open_fraction, help="fraction held out for testing, in (0, 1)")
    train.add_argument("--features", type=feature_list,
                       help=f"2-D input features, comma-separated, from: {', '.join(features.names())}")
    train.add_argument("--hidden", type=hidden_sizes, help="hidden layer sizes, e.g. 32,16 ('none' for none)")
    train.add_argument("--activation", choices=list(activations.ACTIVATIONS))
    train.add_argument("--loss", choices=list(losses.LOSSES))
    train.add_argument("--init", choices=list(initializers.INITIALIZERS))
    train.add_argument("--optimizer", choices=list(optimizers.OPTIMIZERS))
    train.add_argument("--learning-rate", type=learning_rate)
    train.add_argument("--batch-size", type=positive_int(100_000))
    train.add_argument("--epochs", type=lambda t: _number(t, int, 0, 100_000))
    train.add_argument("--regularization", choices=list(regularizers.REGULARIZERS))
    train.add_argument("--reg-rate", type=rate, help="regularization rate")
    train.add_argument("--l1", type=rate, metavar="RATE", help="shorthand for --regularization l1 --reg-rate RATE")
    train.add_argument("--l2", type=rate, metavar="RATE", help="shorthand for --regularization l2 --reg-rate RATE")
    train.add_argument("--seed", type=lambda t: _number(t, int, 0, 2**63 - 1), default=0)
    train.add_argument("--save", metavar="PATH", help="write the trained model to this .npz file")
    train.add_argument("--progress", action="store_true", help="print each epoch's losses to stderr")
    train.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")

    evaluate = commands.add_parser("evaluate", help="score a saved model",
                                   description="Score a saved model on the data it was trained with "
                                               "(same settings and seed, so the same test split).")
    evaluate.add_argument("--model", required=True, metavar="PATH")
    evaluate.add_argument("--dataset", choices=datasets.names(), help="default: the dataset saved in the model")
    evaluate.add_argument("--n", type=positive_int(1_000_000))
    evaluate.add_argument("--noise", type=fraction)
    evaluate.add_argument("--seed", type=lambda t: _number(t, int, 0, 2**63 - 1))
    evaluate.add_argument("--json", action="store_true")

    listing = commands.add_parser("list", help="show datasets, features, and the choices for each option")
    listing.add_argument("--json", action="store_true")
    for sub in (train, evaluate, listing):
        sub.set_defaults(subparser=sub)
    return parser


# ----- commands

def _settings_from(args) -> dict:
    if args.l1 is not None and args.l2 is not None:
        raise UsageError("give at most one of --l1 and --l2")
    settings = {name: getattr(args, name, None) for name in training.SETTINGS}
    for shorthand in ("l1", "l2"):
        value = getattr(args, shorthand)
        if value is not None:
            if args.regularization not in (None, shorthand) or args.reg_rate is not None:
                raise UsageError(f"--{shorthand} RATE already sets the regularization; "
                                 "drop --regularization/--reg-rate")
            settings["regularization"], settings["reg_rate"] = shorthand, value
    return settings


def _scores(setup) -> dict:
    """Final loss (no penalty) and accuracy or R^2 on the train and test sets."""
    out = {}
    loss = setup.net.criterion.name
    for part, data in (("train", setup.train), ("test", setup.test)):
        result = training.evaluate(setup.net, data.x, training.targets_for(data, loss), data.kind)
        out[f"{part}_loss"] = result["loss"]
        out[f"{part}_accuracy"] = result.get("accuracy")
        if "r2" in result:
            out[f"{part}_r2"] = result["r2"]
    return out


def _print_progress(epoch, history):
    train = history.train[-1] if history.train else {}
    test = history.test[-1] if history.test else {}
    print(f"epoch {epoch + 1}: batch loss {history.batch_loss[-1]:.4f}, train loss {train.get('loss', math.nan):.4f},"
          f" test loss {test.get('loss', math.nan):.4f}", file=sys.stderr)


def cmd_train(args) -> int:
    setup = training.setup(args.dataset, seed=args.seed, **_settings_from(args))
    history = setup.fit(callback=_print_progress if args.progress else None)
    result = {"command": "train", "dataset": args.dataset, "kind": setup.train.kind, "seed": args.seed,
              **_scores(setup), "steps": history.steps, "epochs": len(history.batch_loss),
              "seconds": history.seconds, "sizes": setup.net.sizes, "parameters": setup.net.parameter_count(),
              "n_train": len(setup.train), "n_test": len(setup.test), "settings": setup.settings, "saved": None}
    if args.save:
        extra = {"dataset": args.dataset, "seed": args.seed, "settings": setup.settings,
                 "scores": {k: v for k, v in result.items() if k.startswith(("train_", "test_")) and v is not None}}
        try:
            result["saved"] = str(serialization.save(args.save, setup.net, extra=extra))
        except OSError as err:
            raise serialization.ModelFileError(f"cannot write {args.save}: {err.strerror or err}") from None
    _report(result, args.json, setup)
    return 0


def cmd_evaluate(args) -> int:
    model = serialization.read(args.model)
    extra = model.extra
    saved = extra.get("settings") if isinstance(extra.get("settings"), dict) else {}
    dataset = args.dataset or extra.get("dataset")
    if dataset not in datasets.DATASETS:
        raise UsageError("the model does not name its dataset: give --dataset")
    settings = {k: v for k, v in saved.items() if k in training.SETTINGS} if dataset == extra.get("dataset") else {}
    settings.update({k: v for k, v in (("n", args.n), ("noise", args.noise)) if v is not None})
    seed = args.seed if args.seed is not None else extra.get("seed", 0)
    net = model.network
    settings["hidden"] = net.sizes[1:-1]
    settings.update(activation=net.activation.name, loss=net.criterion.name, init=net.init_name)
    setup = training.setup(dataset, seed=seed, **settings)
    if setup.net.sizes != net.sizes:
        raise UsageError(f"the model's sizes {net.sizes} do not fit {dataset!r} "
                         f"with features {setup.settings['features']} (needs {setup.net.sizes})")
    setup.net = net
    result = {"command": "evaluate", "model": args.model, "dataset": dataset, "kind": setup.train.kind,
              "seed": seed, **_scores(setup), "sizes": net.sizes, "n_train": len(setup.train),
              "n_test": len(setup.test), "settings": setup.settings}
    _report(result, args.json, setup)
    return 0


def cmd_list(args) -> int:
    choices = {"datasets": {name: datasets.DATASETS[name].kind for name in datasets.names()},
               "features": features.names(), "activations": list(activations.ACTIVATIONS),
               "losses": list(losses.LOSSES), "optimizers": list(optimizers.OPTIMIZERS),
               "initializers": list(initializers.INITIALIZERS),
               "regularizers": list(regularizers.REGULARIZERS), "defaults": datasets.DEFAULTS}
    if args.json:
        print(json.dumps(choices, allow_nan=False))
        return 0
    for key, value in choices.items():
        if key == "defaults":
            continue
        shown = ", ".join(f"{k} ({v})" for k, v in value.items()) if isinstance(value, dict) else ", ".join(value)
        print(f"{key}: {shown}")
    return 0


def _report(result: dict, as_json: bool, setup) -> None:
    if as_json:
        print(json.dumps(result, allow_nan=False))
        return
    s = setup.settings
    features_text = f", features {', '.join(s['features'])}" if s["features"] else ""
    print(f"dataset  {result['dataset']} ({result['kind']}, {len(setup.train)} train / {len(setup.test)} test"
          f"{features_text})")
    print(f"network  sizes {result['sizes']}, {s['activation']}, loss {s['loss']}, init {s['init']}")
    if result["command"] == "train":
        reg = f", {s['regularization']} {s['reg_rate']:g}" if s["regularization"] != "none" else ""
        print(f"training {s['optimizer']} lr {s['learning_rate']:g}, batch {s['batch_size']}{reg}: "
              f"{result['epochs']} epochs, {result['steps']} steps in {result['seconds']:.2f} s")
    for part in ("train", "test"):
        score = (f"accuracy {100 * result[f'{part}_accuracy']:.1f} %" if result[f"{part}_accuracy"] is not None
                 else f"R^2 {result[f'{part}_r2']:.4f}")
        print(f"{part:<8} loss {result[f'{part}_loss']:.4f}, {score}")
    if result.get("saved"):
        print(f"saved    {result['saved']}")


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "list": cmd_list}


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 run failed, 2 bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.subparser
    try:
        with np.errstate(all="ignore"):  # the engine reports a diverging loss itself, in one line
            return COMMANDS[args.command](args)
    except UsageError as err:
        command.error(str(err))
    except (datasets.DataFileMissing, datasets.DataFileError, serialization.ModelFileError,
            FloatingPointError) as err:
        print(f"nnpy {args.command}: error: {err}", file=sys.stderr)
        return EXIT_FAILURE
    except (ValueError, KeyError) as err:  # settings that do not fit together, e.g. a loss for the wrong task
        command.error(str(err.args[0]) if err.args else repr(err))
    return EXIT_FAILURE
