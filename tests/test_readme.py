"""The README's examples are part of the product: they must run and say what they claim."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_python_example_runs_and_learns(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "README.md has no python example"
    exec(compile(blocks[0], "README.md", "exec"), {})
    loss = float(re.search(r"loss after 500 steps: ([0-9.]+)", capsys.readouterr().out).group(1))
    assert loss < 0.1


def test_readme_cli_example_prints_the_promised_json():
    line = next(l for l in README.splitlines() if "python3 -m nnpy train" in l)
    args = line.split("python3 -m nnpy ")[1].split()
    args[args.index("--epochs") + 1] = "3"  # the README's 30 epochs, shortened: same flags
    result = subprocess.run([sys.executable, "-m", "nnpy", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("train_loss", "test_loss", "test_accuracy", "steps", "seconds"):
        assert key in figures
    assert figures["test_accuracy"] > 0.8


def test_readme_names_the_two_commands_that_ci_runs():
    assert "python3 build.py serve" in README
    assert "bash tests/run.sh" in README
    assert "tests/run.sh" in (ROOT / ".ci" / "run").read_text()
