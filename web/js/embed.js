// Embedding in a blog post: compact chrome, pause when out of view, and an optional postMessage API.
//
// The page passes a small controller: { play(), pause(), playing(), setConfig(partial), on(event, fn) }.
// This module never touches the model itself: it only calls the controller, so state still flows
// controls -> config -> Python model -> snapshot -> renderer.

/** True when the page runs inside another page's iframe. */
export const inFrame = (() => {
  try { return window.self !== window.top; } catch { return true; }
})();

/**
 * Pause training while the page cannot be seen: the tab hidden, or the iframe scrolled out of view
 * (Chrome keeps timers and workers of hidden frames running, so we stop explicitly). Training resumes
 * only if it was running when it was paused for visibility — a visitor's own Pause is respected.
 */
export function pauseWhenHidden(controller, target = document.documentElement) {
  let inView = true;
  let resumeOnShow = false;
  const visible = () => inView && document.visibilityState === "visible";
  const update = () => {
    if (!visible()) {
      if (controller.playing()) { resumeOnShow = true; controller.pause({ reason: "hidden" }); }
    } else if (resumeOnShow) {
      resumeOnShow = false;
      controller.play({ reason: "visible" });
    }
  };
  document.addEventListener("visibilitychange", update);
  // Training started while unseen (autoplay in an iframe far down a post, a host's "play" message):
  // hold it until the page is seen. Deferred, so the controller finishes its own status change first.
  controller.on("status", (status) => {
    if (status === "training" && !visible()) queueMicrotask(update);
  });
  if ("IntersectionObserver" in window && inFrame) {
    // Inside an iframe the root is the top-level viewport: we learn when the frame scrolls away.
    new IntersectionObserver((entries) => {
      inView = entries.some((entry) => entry.isIntersecting);
      update();
    }, { threshold: 0 }).observe(target);
  }
  return { visible };
}

/** The last line of an error's message: a Python traceback ends with the sentence that matters. */
export const lastLine = (error) => String((error && error.message) || error).trim().split("\n").pop().slice(0, 300);

const MESSAGE_TYPES = new Set(["nnpy:play", "nnpy:pause", "nnpy:step", "nnpy:reset", "nnpy:config", "nnpy:subscribe"]);

/**
 * postMessage API for host pages. Messages look like {type: "nnpy:play"} or
 * {type: "nnpy:config", config: {...}}; the page answers with {type: "nnpy:ready" | "nnpy:step" |
 * "nnpy:error", ...}. Only the embedding window (event.source === window.parent) is listened to; if the
 * embedder named itself with ?origin=..., only that origin is accepted and replies go to it alone.
 * Otherwise replies go to the origin of the first valid message from the parent — never to "*".
 * Only figures (step, loss, accuracy, status) are ever posted: nothing private.
 */
export function enableMessages(controller, { allowedOrigin = null, validateConfig }) {
  if (!inFrame) return;
  let hostOrigin = allowedOrigin;
  let subscribed = false;
  const post = (message) => {
    if (hostOrigin) window.parent.postMessage(message, hostOrigin);
  };
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    if (allowedOrigin && event.origin !== allowedOrigin) return;
    const data = event.data;
    if (!data || typeof data !== "object" || !MESSAGE_TYPES.has(data.type)) return;
    if (!hostOrigin) hostOrigin = event.origin;
    if (event.origin !== hostOrigin) return;
    switch (data.type) {
      case "nnpy:play": controller.play({ reason: "host" }); break;
      case "nnpy:pause": controller.pause({ reason: "host" }); break;
      case "nnpy:step": controller.step(); break;
      case "nnpy:reset": controller.reset(); break;
      case "nnpy:subscribe": subscribed = true; post({ type: "nnpy:ready", status: controller.status() }); break;
      case "nnpy:config": {
        const { config, errors } = validateConfig(data.config);
        if (errors.length) post({ type: "nnpy:error", errors });
        if (!Object.keys(config).length) break;
        // The model may still refuse a valid-looking combination (e.g. cross_entropy on a regression
        // set): it then stays as it was, and the host is told why.
        const refused = (error) => post({ type: "nnpy:error", errors: [lastLine(error)] });
        try {
          Promise.resolve(controller.setConfig(config)).catch(refused);
        } catch (error) {
          refused(error);
        }
        break;
      }
    }
  });
  controller.on("step", (figures) => {
    if (subscribed) post({ type: "nnpy:step", step: figures.step, loss: figures.loss, accuracy: figures.accuracy });
  });
  controller.on("status", (status) => { if (subscribed) post({ type: "nnpy:status", status }); });
}
