// The studio's live preview: a moment after a field changes, the preview image, the
// Download form and the API request follow the form. Without this script the form is a
// GET to the page, which draws the same thing.
(function () {
  "use strict";
  const form = document.getElementById("studio");
  if (!form) return;
  const img = document.getElementById("studio-preview");
  const problem = document.getElementById("studio-problem");
  const downloadFields = document.getElementById("studio-download-fields");
  const url = document.getElementById("studio-url");
  const curl = document.getElementById("studio-curl");
  const json = document.getElementById("studio-json");
  const update = document.getElementById("studio-update");
  const signForm = document.getElementById("studio-sign");
  const signFields = document.getElementById("studio-sign-fields");
  const signProblem = document.getElementById("studio-sign-problem");
  const signed = document.getElementById("studio-signed");
  const signedUrl = document.getElementById("studio-signed-url");
  const signedExpires = document.getElementById("studio-signed-expires");
  const contentNames = new Set(
    Array.from(form.querySelectorAll(":scope > fieldset:first-of-type [name]"))
      .map((el) => el.name)
      .filter((name) => name !== "type")
  );
  let timer = null;
  let shown = null;

  // The pairs the request needs: empty values and defaults left out (as the server does).
  function pairs() {
    const data = new FormData(form);
    const seen = new Map();
    for (const [name, value] of data.entries()) seen.set(name, value); // the last wins
    const out = [];
    for (const [name, value] of seen) {
      if (name === "type") continue;
      const el = form.querySelector('[name="' + name + '"][data-default]');
      const fallback = el ? el.getAttribute("data-default") : "";
      if (value.trim() === "") continue;
      if (!contentNames.has(name) && value === fallback) continue;
      out.push([name, value]);
    }
    return out;
  }

  function refresh() {
    const type = form.elements["type"].value;
    const list = pairs();
    const query = new URLSearchParams(list).toString();
    const origin = window.location.origin;
    const sep = query ? "&" : "";
    url.textContent = origin + "/api/v1/qr/" + type + "?" + query + sep + "api_key=YOUR_API_KEY";
    const format = (list.find(([n]) => n === "format") || [null, "png"])[1];
    const extension = format === "jpeg" ? "jpg" : format;
    curl.textContent = "curl -H 'X-API-Key: YOUR_API_KEY' -o qr." + extension + " '" +
      origin + "/api/v1/qr/" + type + "?" + query + "'";
    const body = { type: type, data: {}, design: {} };
    for (const [name, value] of list) (contentNames.has(name) ? body.data : body.design)[name] = value;
    json.textContent = JSON.stringify(body, null, 2);
    const hidden = () => list.map(([name, value]) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      return input;
    });
    downloadFields.replaceChildren(...hidden());
    if (signFields) {
      const before = new URLSearchParams(new FormData(signForm)).toString();
      signFields.replaceChildren(...hidden());
      // A URL signed for another design is not this one's.
      if (new URLSearchParams(new FormData(signForm)).toString() !== before) {
        signed.hidden = true;
        signProblem.hidden = true;
      }
    }
    const previewQuery = new URLSearchParams([["type", type]].concat(list.filter(([n]) => n !== "format")));
    const src = "/dashboard/studio/preview?" + previewQuery.toString();
    if (src === shown) return;
    shown = src;
    fetch(src, { credentials: "same-origin" }).then(async (response) => {
      if (src !== shown) return; // a newer change is on its way
      if (response.ok) {
        const blob = await response.blob();
        const old = img.src;
        img.src = URL.createObjectURL(blob);
        if (old.startsWith("blob:")) URL.revokeObjectURL(old);
        problem.hidden = true;
        problem.textContent = "";
      } else {
        let detail = "The preview could not be drawn (" + response.status + ").";
        try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
        problem.textContent = detail;
        problem.hidden = false;
      }
    }).catch(() => {
      problem.textContent = "The preview could not be fetched; check the connection.";
      problem.hidden = false;
    });
  }

  // Get a signed URL in place: the server signs the form's request for the account's
  // key and answers JSON; the page never sees the key.
  if (signForm) {
    signForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      refresh();
      signProblem.hidden = true;
      try {
        const response = await fetch(signForm.action, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Accept": "application/json" },
          body: new URLSearchParams(new FormData(signForm)),
        });
        let body = null;
        try { body = await response.json(); } catch (e) { /* not JSON */ }
        if (response.ok && body && body.url) {
          signedUrl.textContent = body.url;
          signedExpires.textContent = body.expires
            ? "It works until " + body.expires.replace("T", " ").replace("Z", "") + " (UTC); renewing the key invalidates it sooner."
            : "It does not expire; renewing the key invalidates it.";
          signed.hidden = false;
        } else {
          signProblem.textContent = (body && body.detail) ||
            "The URL could not be signed (" + response.status + ").";
          signProblem.hidden = false;
          signed.hidden = true;
        }
      } catch (e) {
        signProblem.textContent = "The URL could not be signed; check the connection.";
        signProblem.hidden = false;
      }
    });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", (event) => {
    // A new type has other fields: the page draws them.
    if (event.target.hasAttribute("data-reload")) form.submit();
    else soon();
  });
  if (update) update.hidden = true;
})();
