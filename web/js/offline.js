// Registers the service worker (offline use) and offers "update available — reload" when a new
// deployment has been downloaded, instead of switching a visitor mid-session.

/**
 * @param {(accept: () => void) => void} offerUpdate  shows the offer; calls accept() when the visitor agrees
 * @returns {Promise<ServiceWorkerRegistration|null>}
 */
export function enableOffline(offerUpdate) {
  if (!("serviceWorker" in navigator) || location.protocol === "file:") return Promise.resolve(null);
  // Reload only when this page asked for the switch. The first visit's worker claims the page too
  // (controllerchange fires then as well): that must not reload a visitor who is just starting.
  let accepted = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!accepted) return;
    accepted = false;
    location.reload();
  });
  let offered = null;
  const offer = (worker) => {
    if (offered === worker) return;
    offered = worker;
    offerUpdate(() => {
      accepted = true;
      worker.postMessage({ type: "skip-waiting" });
    });
  };
  return navigator.serviceWorker.register("./sw.js").then((registration) => {
    // A worker already waiting means an update arrived on an earlier visit.
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    const watch = (incoming) => incoming?.addEventListener("statechange", () => {
      // Only an *update* is offered: on the first visit there is no controller yet.
      if (incoming.state === "installed" && navigator.serviceWorker.controller) offer(incoming);
    });
    watch(registration.installing);
    registration.addEventListener("updatefound", () => watch(registration.installing));
    // Look for a new deployment now and then while the page stays open.
    setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
    return registration;
  }).catch((error) => {
    console.warn("offline mode unavailable:", error.message);
    return null;
  });
}
