// The interactive part of /docs (Authorize, Test, Execute) and the dashboard's
// "Authorize the docs with this key". Progressive enhancement: /docs reads completely
// without this file. The key lives in sessionStorage, in this tab only; it leaves the
// browser only with the API requests that Execute sends.
"use strict";

(() => {
  const KEY_STORE = "qrgate.docs.key";

  const keyStore = {
    get() {
      try { return sessionStorage.getItem(KEY_STORE) || ""; } catch { return ""; }
    },
    set(key) {
      try { sessionStorage.setItem(KEY_STORE, key); return true; } catch { return false; }
    },
    clear() {
      try { sessionStorage.removeItem(KEY_STORE); } catch { /* storage is disabled */ }
    },
  };

  // Dashboard: remember the key just shown, then let the link open the docs.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-authorize-docs]");
    if (!link) return;
    const source = document.querySelector(link.dataset.authorizeDocs);
    const key = source ? source.textContent.trim() : "";
    if (key) keyStore.set(key);
  });

  const authorizeForm = document.getElementById("authorize-form");
  if (!authorizeForm) return;

  const keyInput = document.getElementById("authorize-key");
  const authorized = document.getElementById("authorized");
  const maskedKey = document.getElementById("authorized-key");
  const logoutButton = document.getElementById("authorize-logout");
  const authStatus = document.getElementById("authorize-status");

  /** The start and end of a key, enough to tell two keys apart. */
  const mask = (key) => (key.length > 14 ? `${key.slice(0, 8)}…${key.slice(-4)}` : "••••");

  function showAuthorization(message) {
    const key = keyStore.get();
    authorizeForm.hidden = Boolean(key);
    authorized.hidden = !key;
    maskedKey.textContent = key ? mask(key) : "";
    authStatus.textContent = message || "";
  }

  authorizeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) {
      authStatus.textContent = "Paste your API key first.";
      keyInput.focus();
      return;
    }
    if (!keyStore.set(key)) {
      authStatus.textContent = "This browser does not allow session storage, so the key cannot be kept.";
      return;
    }
    keyInput.value = "";
    showAuthorization(key.startsWith("qrg_")
      ? "Authorized: Execute now sends this key."
      : "Authorized, but this does not look like a qrgate key (they start with qrg_).");
    logoutButton.focus();
  });

  logoutButton.addEventListener("click", () => {
    keyStore.clear();
    showAuthorization("Logged out: this tab has forgotten the key.");
    keyInput.focus();
  });

  for (const element of document.querySelectorAll(".docs-js-only, .docs-actions")) {
    element.hidden = false;
  }
  showAuthorization(keyStore.get() && location.hash === "#authorize"
    ? "Authorized with the key from your dashboard."
    : "");

  for (const form of document.querySelectorAll("form.docs-try")) setUp(form);

  function setUp(form) {
    const fieldset = form.querySelector("fieldset");
    const test = form.querySelector("[data-test]");
    const execute = form.querySelector("[data-execute]");
    test.addEventListener("click", () => {
      const starting = fieldset.disabled;
      if (!starting) form.reset(); // Cancel: back to the examples.
      fieldset.disabled = !starting;
      execute.disabled = !starting;
      test.textContent = starting ? "Cancel" : "Test";
      if (starting) {
        const first = fieldset.querySelector("input, select, textarea");
        if (first) first.focus();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!execute.disabled) send(form, execute);
    });
    const signing = document.getElementById(`${form.dataset.op}--signing`);
    if (signing) {
      const button = signing.querySelector("[data-sign]");
      button.addEventListener("click", () => sign(form, signing, button));
    }
  }

  /** The request the form describes as POST /api/v1/signed-urls takes it. */
  function signingBody(form) {
    if (form.dataset.body === "json") {
      return JSON.parse(form.querySelector("[data-in=body]").value);
    }
    const body = { type: form.dataset.path.split("/").pop(), data: {}, design: {} };
    for (const field of form.querySelectorAll("[data-in=query]")) {
      if (field.value.trim() === "") continue;
      const section = field.closest(".docs-design") ? "design" : "data";
      body[section][field.name] = field.value;
    }
    return body;
  }

  /** Signs what the form describes and shows the URL (which holds no key). */
  async function sign(form, signing, button) {
    const key = keyStore.get();
    const note = out(signing, "signed-note");
    const row = out(signing, "signed-row");
    row.hidden = true;
    if (!key) {
      note.textContent = "Authorize first: the URL is signed for your key's account.";
      return;
    }
    let body;
    try {
      body = signingBody(form);
    } catch (error) {
      note.textContent = `The JSON body is not valid JSON: ${error.message}`;
      return;
    }
    const expiry = signing.querySelector("[data-signed-expiry]").value;
    body.expires_in = expiry ? Number(expiry) : null;
    button.disabled = true;
    note.textContent = "Signing…";
    try {
      const response = await fetch(`${location.origin}/api/v1/signed-urls`, {
        method: "POST",
        headers: { "X-API-Key": key, "Content-Type": "application/json" },
        body: JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        note.textContent = `${response.status}: ${answer.detail || "the URL could not be signed"}`;
        return;
      }
      out(signing, "signed").textContent = answer.url;
      row.hidden = false;
      note.textContent = answer.expires
        ? `Works until ${answer.expires}, or until you renew your key. It holds no key, so it is safe in a public page.`
        : "Works until you renew your key. It holds no key, so it is safe in a public page.";
    } catch (error) {
      note.textContent = `The request failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  }

  /** Single-quoted for a POSIX shell. */
  const quote = (text) => `'${text.replace(/'/g, "'\\''")}'`;

  /** The request the form describes, or a message saying what is missing. */
  function buildRequest(form) {
    const method = form.dataset.method;
    const key = form.dataset.key === "true" ? keyStore.get() : "";
    const query = new URLSearchParams();
    let path = form.dataset.path;
    for (const field of form.querySelectorAll("[data-in]")) {
      if (field.dataset.in === "body" || field.value.trim() === "") continue;
      if (field.dataset.in === "path") {
        path = path.replace(`{${field.name}}`, encodeURIComponent(field.value.trim()));
      } else {
        query.append(field.name, field.value);
      }
    }
    const missing = path.match(/\{(\w+)\}/);
    if (missing) return { problem: `Fill in ${missing[1]} first.` };
    const search = query.toString();
    const url = `${location.origin}${path}${search ? `?${search}` : ""}`;
    const headers = {};
    if (key) headers["X-API-Key"] = key;
    const curl = ["curl"];
    if (method !== "GET" && method !== "POST") curl.push(`-X ${method}`);
    if (key) curl.push(`-H ${quote(`X-API-Key: ${key}`)}`);
    let body;
    if (form.dataset.body === "json") {
      body = form.querySelector("[data-in=body]").value;
      headers["Content-Type"] = "application/json";
      let compact = body;
      try { compact = JSON.stringify(JSON.parse(body)); } catch { /* sent as typed */ }
      curl.push("-H 'Content-Type: application/json'", `-d ${quote(compact)}`);
    } else if (form.dataset.body === "file") {
      const file = form.querySelector("input[type=file]").files[0];
      if (!file) return { problem: "Choose a logo file first." };
      body = file;
      headers["Content-Type"] = file.type || "application/octet-stream";
      curl.push(`-H ${quote(`Content-Type: ${headers["Content-Type"]}`)}`, `--data-binary @${quote(file.name)}`);
    }
    if (form.dataset.image === "true") {
      const format = query.get("format") || "png";
      curl.push(`-o qr-${form.dataset.op.replace(/^qr-/, "")}.${format === "svg" ? "svg" : "png"}`);
    }
    curl.push(quote(url));
    // With the key in the query, a GET URL pastes into a browser tab and just works.
    const shareable = key && method === "GET"
      ? `${url}${search ? "&" : "?"}api_key=${encodeURIComponent(key)}`
      : url;
    return { method, url, shareable, headers, body, curl: curl.join(" "), key };
  }

  async function send(form, button) {
    const result = document.getElementById(`${form.dataset.op}--result`);
    const request = buildRequest(form);
    const statusLine = out(result, "status");
    if (request.problem) {
      result.hidden = false;
      statusLine.textContent = request.problem;
      statusLine.className = "docs-status docs-bad";
      return;
    }
    button.disabled = true;
    button.textContent = "Executing…";
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        cache: "no-store",
        credentials: "omit",
      });
      await show(result, request, response);
      if (form.dataset.op === "logo-upload" && response.status === 201) offerDelete(result);
      if (form.dataset.op === "batch-create" && response.status === 202) offerBatch(result);
    } catch (error) {
      result.hidden = false;
      statusLine.textContent = `The request failed: ${error.message}`;
      statusLine.className = "docs-status docs-bad";
    } finally {
      button.disabled = false;
      button.textContent = "Execute";
    }
  }

  const out = (result, name) => result.querySelector(`[data-out="${name}"]`);

  async function show(result, request, response) {
    result.hidden = false;
    out(result, "url").textContent = request.shareable;
    out(result, "url-note").textContent = request.method !== "GET"
      ? `A ${request.method} request: use the curl command to repeat it.`
      : request.key
        ? "Contains your key as api_key, so it works when pasted into a browser tab. Treat it like the key."
        : "Authorize first to get a URL that works in a browser tab.";
    out(result, "curl").textContent = request.curl;
    const statusLine = out(result, "status");
    statusLine.textContent = `${response.status} ${response.statusText}`.trim();
    statusLine.className = `docs-status ${response.ok || response.status === 304 ? "docs-ok" : "docs-bad"}`;
    out(result, "headers").textContent = [...response.headers]
      .map(([name, value]) => `${name}: ${value}`)
      .join("\n");
    const preview = out(result, "preview");
    const reason = response.headers.get("x-qr-preview");
    preview.hidden = !reason;
    preview.textContent = reason
      ? `Preview (${reason}): the image is watermarked and will not scan. ${response.headers.get("x-qr-preview-detail") || ""}`.trim()
      : "";
    const bodyOut = out(result, "body");
    bodyOut.replaceChildren();
    const type = response.headers.get("content-type") || "";
    if (type.startsWith("application/zip")) {
      const blob = await response.blob();
      const note = document.createElement("p");
      note.textContent = `A ZIP of ${formatBytes(blob.size)}: use the curl command (or the dashboard's Batches page) to save it.`;
      bodyOut.append(note);
    } else if (type.startsWith("image/")) {
      const blob = await response.blob();
      const image = document.createElement("img");
      image.className = "docs-image";
      image.alt = `The image returned with status ${response.status}`;
      // A data: URL, so the page holds the very bytes the server sent.
      image.src = await dataUrl(blob);
      const caption = document.createElement("p");
      caption.className = "help";
      bodyOut.append(image, caption);
      try {
        await image.decode();
        caption.textContent = `${type}, ${image.naturalWidth}×${image.naturalHeight} pixels, ${formatBytes(blob.size)}`;
      } catch {
        caption.textContent = `${type}, ${formatBytes(blob.size)}`;
      }
    } else {
      const text = await response.text();
      if (!text) {
        const empty = document.createElement("p");
        empty.className = "muted";
        empty.textContent = "No body.";
        bodyOut.append(empty);
        return;
      }
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      pre.className = "docs-code";
      try { code.textContent = JSON.stringify(JSON.parse(text), null, 2); } catch { code.textContent = text; }
      pre.append(code);
      bodyOut.append(pre);
    }
  }

  /** After an upload, the delete form is ready for the new logo. */
  function offerDelete(result) {
    const field = document.getElementById("logo-delete-id");
    let id = "";
    try { id = JSON.parse(out(result, "body").textContent).id || ""; } catch { return; }
    if (field && id) field.value = id;
  }

  /** After a batch is started, the status, ZIP and delete forms are ready for it. */
  function offerBatch(result) {
    let id = "";
    try { id = JSON.parse(out(result, "body").textContent).id || ""; } catch { return; }
    for (const op of ["batch-status", "batch-result", "batch-delete"]) {
      const field = document.getElementById(`${op}-id`);
      if (field && id) field.value = id;
    }
  }

  const dataUrl = (blob) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });

  const formatBytes = (bytes) => (bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`);
})();
