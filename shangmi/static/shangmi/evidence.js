/* Evidence deposit in the browser: hash files locally, send only digests.
 *
 * hash-wasm (served from node_modules, no CDN) does SHA-256 and SM3 in WebAssembly, so this
 * works over plain http on an intranet, where Web Crypto's digest() is unavailable. Files
 * are read in 8 MiB slices: a 4 GB file never sits in memory. */
(function () {
  "use strict";
  const CHUNK = 8 * 1024 * 1024;

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function digestFile(file, onProgress, withSm3 = true) {
    const sha = await hashwasm.createSHA256();
    const sm = withSm3 ? await hashwasm.createSM3() : null;
    sha.init();
    if (sm) sm.init();
    for (let offset = 0; offset < file.size; offset += CHUNK) {
      const part = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
      sha.update(part);
      if (sm) sm.update(part);
      if (onProgress) onProgress(Math.min(offset + CHUNK, file.size));
    }
    return { sha256: sha.digest("hex"), sm3: sm ? sm.digest("hex") : "", size: file.size };
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const headers = document.body.getAttribute("hx-headers");
    return headers ? JSON.parse(headers)["X-CSRFToken"] : "";
  }

  function text(key) {
    return (window.SHANGMI_TEXT || {})[key] || key;
  }

  function setProgress(bar, done, total) {
    bar.classList.remove("d-none");
    bar.firstElementChild.style.width = (total ? Math.round((100 * done) / total) : 100) + "%";
  }

  function bindDepositForm(form) {
    if (!form) return;
    const status = document.getElementById("deposit-status");
    const results = document.getElementById("deposit-results");
    const bar = document.getElementById("hash-progress");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const files = [...document.getElementById("files").files, ...document.getElementById("folder").files];
      if (!files.length) {
        status.textContent = text("pick");
        return;
      }
      const total = files.reduce((sum, f) => sum + f.size, 0);
      let before = 0;
      const items = [];
      const value = (id) => document.getElementById(id).value.trim();
      for (const file of files) {
        status.textContent = `${text("hashing")} ${file.name}`;
        const digests = await digestFile(file, (done) => setProgress(bar, before + done, total));
        before += file.size;
        const salt = new Uint8Array(32);
        crypto.getRandomValues(salt); // available without a secure context, unlike crypto.subtle
        const name = file.webkitRelativePath || file.name;
        items.push({
          title: files.length === 1 && value("title") ? value("title") : value("title") ? `${value("title")} · ${name}` : name,
          file_name: name,
          file_size: digests.size,
          sha256: digests.sha256,
          sm3: digests.sm3,
          salt: hex(salt),
          secret_point: value("secret_point"),
          project: value("project"),
          version_note: value("version_note"),
          previous: value("previous") || null,
        });
      }
      setProgress(bar, total, total);
      status.textContent = text("sending");
      const response = await fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify({ deposits: items }),
      });
      const answer = await response.json();
      results.replaceChildren();
      if (!response.ok) {
        status.className = "alert alert-danger";
        status.textContent = `${text("failed")} ${(answer.errors || [answer.detail]).join("; ")}`;
        return;
      }
      status.className = "alert alert-success";
      status.textContent = text("done");
      for (const receipt of answer.receipts) {
        const li = document.createElement("li");
        li.className = "list-group-item";
        const link = document.createElement("a");
        link.href = `${form.dataset.detail}${receipt.deposit.id}/`;
        link.textContent = receipt.deposit.title;
        const code = document.createElement("code");
        code.className = "ms-2 small";
        code.textContent = receipt.digests.sha256;
        li.append(link, code);
        results.append(li);
      }
    });
  }

  function bindVerifyForm(form) {
    if (!form) return;
    const result = document.getElementById("verify-result");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = document.getElementById("verify-file").files[0];
      const receiptFile = document.getElementById("verify-receipt").files[0];
      if (!file || !receiptFile) {
        result.textContent = text("pick");
        return;
      }
      let receipt;
      try {
        receipt = JSON.parse(await receiptFile.text());
      } catch (error) {
        result.textContent = text("badReceipt");
        return;
      }
      result.textContent = text("hashing");
      const digests = await digestFile(file, null, Boolean(receipt.digests && receipt.digests.sm3));
      const response = await fetch(form.dataset.check, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ receipt: receipt, sha256: digests.sha256, sm3: digests.sm3 }),
      });
      const report = await response.json();
      result.replaceChildren();
      const head = document.createElement("div");
      head.className = report.verified ? "alert alert-success" : "alert alert-danger";
      head.textContent = report.summary;
      const list = document.createElement("ul");
      for (const check of report.checks) {
        const li = document.createElement("li");
        li.textContent = `${check.ok ? "✓" : "✗"} ${check.zh} / ${check.en}`;
        list.append(li);
      }
      result.append(head, list);
    });
  }

  window.shangmiEvidence = { digestFile, bindDepositForm, bindVerifyForm, hex };

  // The page's texts come from the form's data-text-* attributes (no inline script: the
  // Content-Security-Policy forbids it), in the page's language.
  function bindPage() {
    const deposit = document.getElementById("deposit-form");
    const verify = document.getElementById("verify-form");
    const form = deposit || verify;
    if (!form) return;
    const texts = {};
    for (const [name, value] of Object.entries(form.dataset)) {
      if (name.startsWith("text") && name.length > 4) {
        texts[name[4].toLowerCase() + name.slice(5)] = value;
      }
    }
    window.SHANGMI_TEXT = Object.assign(window.SHANGMI_TEXT || {}, texts);
    if (deposit) bindDepositForm(deposit);
    if (verify) bindVerifyForm(verify);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindPage);
  } else {
    bindPage();
  }
})();
