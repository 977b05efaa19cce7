// Unit tests for web/js/params.js, run by node's own test runner (tests/test_js.py calls it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseParams, formatParams, validateConfig, PARAMS } from "../../web/js/params.js";

test("a shared address reproduces the configuration", () => {
  const config = { dataset: "spiral", hidden: [8, 8], activation: "tanh", learning_rate: 0.03, seed: 42,
    features: ["x1", "x2", "sinx1"], discretize: true };
  const hash = formatParams(config);
  assert.equal(hash, "dataset=spiral&hidden=8,8&activation=tanh&lr=0.03&features=x1,x2,sinx1&seed=42&discretize=1");
  const { config: back, notices } = parseParams("", "#" + hash);
  assert.deepEqual(back, config);
  assert.deepEqual(notices, []);
});

test("defaults are left out of the address", () => {
  assert.equal(formatParams({ dataset: "digits", seed: 0, speed: "max", embed: false }), "");
});

test("numbers are clamped to their range with a notice", () => {
  const { config, notices } = parseParams("?lr=1000&hidden=100000,3&batch=0");
  assert.equal(config.learning_rate, 10);
  assert.deepEqual(config.hidden, [64, 3]);
  assert.equal(config.batch_size, 1);
  assert.equal(notices.length, 3);
  assert.match(notices[0], /lr: 1000 is outside/);
});

test("invalid values fall back to the default with a notice", () => {
  const { config, notices } = parseParams("", "#lr=1e309&dataset=<img src=x onerror=alert(1)>&hidden=-5&activation=__proto__&seed=NaN");
  assert.deepEqual(config, {});
  assert.equal(notices.length, 5);
  assert.ok(notices.every((n) => n.includes("using the default")));
});

test("unknown keys are dropped and named, briefly", () => {
  const { config, notices } = parseParams("?foo=1&__proto__=x&constructor=y&zzz=1");
  assert.deepEqual(config, {});
  assert.equal(notices.length, 1);
  assert.match(notices[0], /^ignored unknown settings foo, __proto__, constructor, …$/);
  assert.equal(Object.getPrototypeOf(config), Object.prototype);
});

test("long values are refused before parsing", () => {
  const { config, notices } = parseParams(`?dataset=${"a".repeat(10000)}`);
  assert.deepEqual(config, {});
  assert.match(notices[0], /too long \(10000 characters\)/);
});

test("too many hidden layers keep the first six", () => {
  const { config, notices } = parseParams("?hidden=1,2,3,4,5,6,7,8");
  assert.deepEqual(config.hidden, [1, 2, 3, 4, 5, 6]);
  assert.equal(notices.length, 1);
});

test("hidden=none means no hidden layer", () => {
  assert.deepEqual(parseParams("?hidden=none").config.hidden, []);
});

test("embed options: controls list, autoplay, origin", () => {
  const { config, notices } = parseParams("?embed=1&controls=lr,activation&autoplay&origin=https://blog.example.com");
  assert.deepEqual(config, { embed: true, controls: ["lr", "activation"], autoplay: true, origin: "https://blog.example.com" });
  assert.deepEqual(notices, []);
  assert.equal(parseParams("?origin=javascript:alert(1)").config.origin, undefined);
  assert.equal(parseParams("?origin=https://a.com/path").config.origin, undefined);
});

test("fuzz: any input gives only known keys with values of the declared type", () => {
  const pieces = ["<script>alert(1)</script>", "\"'><svg onload=alert(1)>", "1e309", "-1", "NaN", "Infinity",
    "0x10", "1,2,3", "", "%00", "9".repeat(400), "relu", "digits", "true", "javascript:alert(1)", "__proto__",
    "1e-400", " 5 ", "3.5", "x1,x1,x2"];
  const keys = [...Object.keys(PARAMS), "lr", "batch", "reg", "test", "toString", "hasOwnProperty", "evil"];
  let seed = 7;
  const pick = (list) => list[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % list.length];
  for (let i = 0; i < 300; i++) {
    const query = Array.from({ length: 1 + (i % 6) }, () => `${encodeURIComponent(pick(keys))}=${encodeURIComponent(pick(pieces))}`).join("&");
    const { config, notices } = parseParams(i % 2 ? query : "", i % 2 ? "" : query);
    for (const [name, value] of Object.entries(config)) {
      const spec = PARAMS[name];
      assert.ok(spec, `unexpected key ${name}`);
      if (spec.type === "int" || spec.type === "float") {
        assert.ok(Number.isFinite(value) && value >= spec.min && value <= spec.max, `${name}=${value}`);
      }
      if (spec.type === "enum") assert.ok(spec.values.includes(value));
      if (spec.type === "sizes") assert.ok(value.every((n) => Number.isInteger(n) && n >= 1 && n <= 64) && value.length <= 6);
      if (spec.type === "list") assert.ok(value.every((v) => spec.values.includes(v)));
    }
    assert.ok(notices.every((n) => typeof n === "string" && n.length < 400));
  }
});

test("validateConfig: a host's object gets the address's rules", () => {
  const { config, notices } = validateConfig({ dataset: "spiral", lr: 0.03, hidden: [8, 8], activation: "tanh", seed: 7 });
  assert.deepEqual(config, { dataset: "spiral", hidden: [8, 8], activation: "tanh", learning_rate: 0.03, seed: 7 });
  assert.deepEqual(notices, []);
  assert.deepEqual(validateConfig({ learning_rate: 1e309 }).config, {});
  assert.equal(validateConfig({ learning_rate: 1e309 }).notices.length, 1);
});

test("validateConfig: page settings, nested values, junk and prototypes are refused", () => {
  const { config, notices } = validateConfig({ embed: false, origin: "https://evil.example", nested: { a: 1 },
    hidden: [{}], __proto__: { dataset: "xor" }, activation: "<img src=x onerror=alert(1)>" });
  assert.deepEqual(config, {});
  assert.equal(Object.getPrototypeOf(config), Object.prototype);
  assert.ok(notices.length >= 4, notices.join(" | "));
  for (const bad of [null, undefined, 3, "dataset=xor", [], [["dataset", "xor"]]]) {
    const out = validateConfig(bad);
    assert.deepEqual(out.config, {});
    assert.equal(out.notices.length, 1);
  }
});

test("embed controls: unknown names are dropped, the known ones kept", () => {
  const { config, notices } = parseParams("?embed=1&controls=lr,bogus,dataset,<b>x</b>");
  assert.deepEqual(config.controls, ["lr", "dataset"]);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /^controls: ignored unknown value\(s\) bogus, <b>x<\/b>$/);
  assert.equal(parseParams("?features=x1,bogus").config.features, undefined, "features stay strict");
});
