// Registers the service worker (offline use) and offers "update available — reload" when a new
// deployment has been downloaded, instead of switching a visitor mid-session.

/**
 * @param {(accept: () => void) => void} offerUpdate  shows the offer; calls accept() when the visitor agrees
 */
export function enableOffline(offerUpdate) {
  if (!("serviceWorker" in navigator) || location.protocol === "file:") return;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) return;
    reloading = true;
    location.reload();
  });
  const offer = (worker) => offerUpdate(() => worker.postMessage({ type: "skip-waiting" }));
  navigator.serviceWorker.register("./sw.js").then((registration) => {
    // A worker already waiting means an update arrived on an earlier visit.
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const incoming = registration.installing;
      incoming?.addEventListener("statechange", () => {
        // Only an *update* is offered: on the first visit there is no controller yet.
        if (incoming.state === "installed" && navigator.serviceWorker.controller) offer(incoming);
      });
    });
    // Look for a new deployment now and then while the page stays open.
    setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
  }).catch((error) => console.warn("offline mode unavailable:", error.message));
}
