// The page's configuration as a typed parameter list, and its URL form.
//
// Like TensorFlow Playground's state.ts: one table says each setting's type, range and default; the URL
// (hash or query) is parsed against it. Unknown keys are dropped, numbers clamped to their range, invalid
// values fall back to the default — each with a notice the page shows (as text, never as markup).
// Copying the address reproduces the run, seed included.

export const DATASETS = ["digits", "mnist", "circle", "xor", "gaussians", "spiral", "moons", "plane",
  "gaussian_mix", "sine", "custom", "custom_regression"];
export const ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"];
export const LOSSES = ["cross_entropy", "binary_cross_entropy", "mse"];
export const OPTIMIZERS = ["sgd", "momentum", "adam"];
export const REGULARIZATIONS = ["none", "l1", "l2"];
export const INITS = ["he", "glorot"];
export const FEATURES = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2", "cosx1", "cosx2"];
export const CONTROLS = ["dataset", "lr", "activation", "optimizer", "loss", "hidden", "batch", "noise",
  "regularization", "features", "speed", "seed", "test", "regrate", "init", "showtest", "discretize"];
// Training steps per animation frame: "max" = as many as a time budget allows (the page's default)
export const SPEEDS = ["1", "2", "5", "10", "50", "max"];

const MAX_TEXT = 200; // longer values are rejected before any parsing

/**
 * name: [type, default, options]. Types: int, float, bool, enum, list (of enum values), sizes (list of
 * ints), origin. `short` is the URL key when it differs from the name. A default of null means "the
 * dataset's own default" (the Python side fills it in).
 */
export const PARAMS = {
  dataset: { type: "enum", values: DATASETS, default: "digits" },
  noise: { type: "float", min: 0, max: 0.5, default: null },
  test_ratio: { type: "float", min: 0.1, max: 0.9, default: null, short: "test" },
  batch_size: { type: "int", min: 1, max: 512, default: null, short: "batch" },
  hidden: { type: "sizes", min: 1, max: 64, maxItems: 6, default: null },
  activation: { type: "enum", values: ACTIVATIONS, default: null },
  loss: { type: "enum", values: LOSSES, default: null },
  optimizer: { type: "enum", values: OPTIMIZERS, default: null },
  learning_rate: { type: "float", min: 1e-6, max: 10, default: null, short: "lr" },
  regularization: { type: "enum", values: REGULARIZATIONS, default: null, short: "reg" },
  reg_rate: { type: "float", min: 0, max: 1, default: null, short: "regrate" },
  init: { type: "enum", values: INITS, default: null },
  features: { type: "list", values: FEATURES, minItems: 1, default: null },
  seed: { type: "int", min: 0, max: 2 ** 31 - 1, default: 0 },
  speed: { type: "enum", values: SPEEDS, default: "max" },
  discretize: { type: "bool", default: false },
  show_test: { type: "bool", default: false, short: "showtest" },
  embed: { type: "bool", default: false },
  controls: { type: "list", values: CONTROLS, minItems: 0, default: null, dropUnknown: true },
  autoplay: { type: "bool", default: false },
  origin: { type: "origin", default: null },
};

const BY_KEY = new Map(Object.entries(PARAMS).map(([name, spec]) => [spec.short || name, name]));

const clampNumber = (value, spec, key, notices) => {
  if (value < spec.min || value > spec.max) {
    const clamped = Math.min(spec.max, Math.max(spec.min, value));
    notices.push(`${key}: ${value} is outside ${spec.min}–${spec.max}; using ${clamped}`);
    return clamped;
  }
  return value;
};

function parseValue(spec, key, raw, notices) {
  const bad = (why) => {
    notices.push(`${key}: ${why}; using the default`);
    return undefined;
  };
  switch (spec.type) {
    case "int":
    case "float": {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) return bad("not a number");
      let value = Number(raw);
      if (!Number.isFinite(value)) return bad("not a finite number");
      if (spec.type === "int") value = Math.round(value);
      return clampNumber(value, spec, key, notices);
    }
    case "bool":
      if (["1", "true", "yes", "on", ""].includes(raw.toLowerCase())) return true;
      if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
      return bad("not true or false");
    case "enum":
      return spec.values.includes(raw) ? raw : bad(`unknown value (choose from ${spec.values.join(", ")})`);
    case "list": {
      const items = raw === "" ? [] : raw.split(",");
      const unknown = items.filter((item) => !spec.values.includes(item));
      if (unknown.length && !spec.dropUnknown) return bad(`unknown value(s) ${unknown.slice(0, 3).join(", ")}`);
      if (unknown.length) notices.push(`${key}: ignored unknown value(s) ${unknown.slice(0, 3).map((u) => u.slice(0, 24)).join(", ")}`);
      const unique = [...new Set(items.filter((item) => spec.values.includes(item)))];
      if (unique.length < spec.minItems) return bad(`needs at least ${spec.minItems} value(s)`);
      return unique;
    }
    case "sizes": {
      if (raw === "" || raw === "none") return [];
      const items = raw.split(",");
      if (items.some((item) => !/^\d+$/.test(item))) return bad("not a list of whole numbers");
      if (items.length > spec.maxItems) {
        notices.push(`${key}: at most ${spec.maxItems} hidden layers; keeping the first ${spec.maxItems}`);
      }
      return items.slice(0, spec.maxItems).map((item) => clampNumber(Number(item), spec, key, notices));
    }
    case "origin": {
      try {
        const url = new URL(raw);
        if ((url.protocol === "https:" || url.protocol === "http:") && url.origin === raw.replace(/\/$/, "")) {
          return url.origin;
        }
      } catch { /* fall through */ }
      return bad("not an origin such as https://example.com");
    }
    default:
      return bad("unsupported");
  }
}

/**
 * Parse a URL's hash (preferred) and query into {config, notices}. config holds only the settings
 * present and valid (defaults are not filled in: the caller merges them).
 * @param {string} search  e.g. location.search
 * @param {string} hash    e.g. location.hash
 */
export function parseParams(search = "", hash = "") {
  const config = {};
  const notices = [];
  const entries = [
    ...new URLSearchParams(search.replace(/^\?/, "")),
    ...new URLSearchParams(hash.replace(/^#/, "")),
  ];
  const dropped = [];
  for (const [key, raw] of entries) {
    const name = BY_KEY.get(key);
    if (!name) {
      dropped.push(key);
      continue;
    }
    if (raw.length > MAX_TEXT) {
      notices.push(`${key}: value too long (${raw.length} characters); using the default`);
      continue;
    }
    const value = parseValue(PARAMS[name], key, raw.trim(), notices);
    if (value !== undefined) config[name] = value;
  }
  if (dropped.length) {
    const shown = dropped.slice(0, 3).map((key) => key.slice(0, 24)).join(", ");
    notices.push(`ignored unknown setting${dropped.length > 1 ? "s" : ""} ${shown}${dropped.length > 3 ? ", …" : ""}`);
  }
  return { config, notices };
}

const formatValue = (spec, value) => {
  if (Array.isArray(value)) return value.join(",");
  if (spec.type === "bool") return value ? "1" : "0";
  if (spec.type === "float") return String(Number(value.toPrecision(6)));
  return String(value);
};

/**
 * The URL hash for a config: every setting whose value differs from the table's default, in the
 * table's order, so equal configs give equal addresses.
 */
export function formatParams(config) {
  const out = new URLSearchParams();
  for (const [name, spec] of Object.entries(PARAMS)) {
    const value = config[name];
    if (value === undefined || value === null) continue;
    if (spec.default !== null && formatValue(spec, value) === formatValue(spec, spec.default)) continue;
    out.set(spec.short || name, formatValue(spec, value));
  }
  return out.toString().replace(/%2C/g, ",");
}

// Settings the Python session takes (web/py/nnpy_page.py SETTABLE); the rest only shape the page.
export const MODEL_KEYS = ["dataset", "noise", "test_ratio", "batch_size", "hidden", "activation", "loss",
  "optimizer", "learning_rate", "regularization", "reg_rate", "init", "features", "seed"];

/**
 * Validate a plain object (e.g. a host page's postMessage payload) with the same rules as the address:
 * each value is turned into its URL text and parsed by parseParams, so the two can never disagree.
 * Only model settings are kept (a message cannot switch embed mode or the trusted origin).
 * Keys may be the long names or the URL's short ones. Returns {config, notices}.
 */
export function validateConfig(object) {
  if (!object || typeof object !== "object" || Array.isArray(object)) {
    return { config: {}, notices: ["config: expected an object of settings"] };
  }
  const query = new URLSearchParams();
  const notices = [];
  for (const [key, value] of Object.entries(object).slice(0, 40)) {
    const plain = (v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
    if (plain(value)) query.append(key, String(value));
    else if (Array.isArray(value) && value.every(plain)) query.append(key, value.join(","));
    else notices.push(`${String(key).slice(0, 24)}: not a number, text or list; ignored`);
  }
  const parsed = parseParams(query.toString(), "");
  const config = {};
  for (const name of MODEL_KEYS) if (name in parsed.config) config[name] = parsed.config[name];
  const pageOnly = Object.keys(parsed.config).filter((name) => !MODEL_KEYS.includes(name));
  if (pageOnly.length) notices.push(`ignored page setting${pageOnly.length > 1 ? "s" : ""} ${pageOnly.join(", ")}`);
  return { config, notices: [...notices, ...parsed.notices] };
}
