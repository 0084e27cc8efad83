// The batch page's progress bar: while the batch runs, asks for its progress every
// second and moves the bar; when it has finished, reloads the page, which then shows the
// download and the row errors. Without this file the page refreshes itself instead.
(() => {
  const batch = document.getElementById("batch");
  if (!batch || batch.dataset.running !== "true") return;
  const bar = document.getElementById("batch-progress");
  const percent = document.getElementById("batch-percent");
  const counts = document.getElementById("batch-counts");
  const status = document.getElementById("batch-status");
  const finished = ["done", "failed", "cancelled"];

  async function poll() {
    let view;
    try {
      const response = await fetch(batch.dataset.progress, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      view = await response.json();
    } catch {
      setTimeout(poll, 3000); // a hiccup: try again a little later
      return;
    }
    const processed = view.done + view.failed;
    const share = view.total > 0 ? Math.min(100, Math.floor((processed * 100) / view.total)) : 100;
    bar.max = view.total;
    bar.value = processed;
    bar.textContent = `${share} %`;
    percent.textContent = `${share} %`;
    counts.textContent = `${view.done} drawn, ${view.failed} failed, of ${view.total} rows`;
    status.textContent = view.status;
    status.className = `badge batch-${view.status}`;
    if (finished.includes(view.status)) {
      window.location.reload();
    } else {
      setTimeout(poll, 1000);
    }
  }
  setTimeout(poll, 500);
})();
