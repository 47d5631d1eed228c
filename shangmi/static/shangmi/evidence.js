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

  function unhex(text) {
    const clean = text.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(clean)) return null;
    return Uint8Array.from(clean.match(/../g), (pair) => parseInt(pair, 16));
  }

  /* HMAC-SHA-256 on hash-wasm's SHA-256 (RFC 2104, a 32-byte key padded to the 64-byte
   * block): Web Crypto's HMAC needs a secure context, which an intranet over http is not. */
  async function hmacSha256(key, message) {
    const block = new Uint8Array(64);
    block.set(key);
    const inner = await hashwasm.createSHA256();
    inner.init();
    inner.update(block.map((b) => b ^ 0x36));
    inner.update(message);
    const outer = await hashwasm.createSHA256();
    outer.init();
    outer.update(block.map((b) => b ^ 0x5c));
    outer.update(inner.digest("binary"));
    return outer.digest("binary");
  }

  const SALT_LABEL = new TextEncoder().encode("shangmi-evidence-salt/1\n");

  /* The salt from the enterprise's deposit key and the file (docs/evidence-log.md): the same
   * file and key always give the same salt, so a lost receipt is rebuilt from them. */
  async function deriveSalt(key, sha256Hex) {
    const message = new Uint8Array(SALT_LABEL.length + 32);
    message.set(SALT_LABEL);
    message.set(unhex(sha256Hex), SALT_LABEL.length);
    return hmacSha256(key, message);
  }

  async function commitment(create, salt, digestHex) {
    const hasher = await create();
    hasher.init();
    hasher.update(salt);
    hasher.update(unhex(digestHex));
    return hasher.digest("hex");
  }

  /* The deposit key from its file (64 hexadecimal characters, as `keygen` writes it); read
   * here and never sent. */
  async function readDepositKey(input) {
    const file = input && input.files[0];
    if (!file) return { key: null };
    const key = unhex(await file.text());
    return key ? { key } : { error: true };
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
      const { key, error } = await readDepositKey(document.getElementById("deposit-key"));
      if (error) {
        status.textContent = text("badKey");
        return;
      }
      const escrow = !key || document.getElementById("escrow").checked;
      const total = files.reduce((sum, f) => sum + f.size, 0);
      let before = 0;
      const items = [];
      const kept = [];
      const value = (id) => document.getElementById(id).value.trim();
      for (const file of files) {
        status.textContent = `${text("hashing")} ${file.name}`;
        const digests = await digestFile(file, (done) => setProgress(bar, before + done, total));
        before += file.size;
        let salt;
        if (key) {
          salt = await deriveSalt(key, digests.sha256);
        } else {
          salt = new Uint8Array(32);
          crypto.getRandomValues(salt); // available without a secure context, unlike crypto.subtle
        }
        const name = file.webkitRelativePath || file.name;
        const item = {
          title: files.length === 1 && value("title") ? value("title") : value("title") ? `${value("title")} · ${name}` : name,
          file_name: name,
          file_size: digests.size,
          secret_point: value("secret_point"),
          project: value("project"),
          version_note: value("version_note"),
          previous: value("previous") || null,
        };
        if (escrow) {
          // Escrowed: the platform keeps the digests and the salt, and can confirm a guess.
          Object.assign(item, { sha256: digests.sha256, sm3: digests.sm3, salt: hex(salt) });
        } else {
          // Only the salted commitments leave this page; nothing the platform keeps opens them.
          Object.assign(item, {
            commitment: await commitment(hashwasm.createSHA256, salt, digests.sha256),
            sm3_commitment: await commitment(hashwasm.createSM3, salt, digests.sm3),
          });
        }
        items.push(item);
        kept.push({ sha256: digests.sha256, sm3: digests.sm3, salt: hex(salt) });
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
      answer.receipts.forEach((receipt, position) => {
        const li = document.createElement("li");
        li.className = "list-group-item";
        const link = document.createElement("a");
        link.href = `${form.dataset.detail}${receipt.deposit.id}/`;
        link.textContent = receipt.deposit.title;
        const code = document.createElement("code");
        code.className = "ms-2 small";
        code.textContent = kept[position].sha256;
        li.append(link, code);
        results.append(li);
      });
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
      const { key, error } = await readDepositKey(document.getElementById("verify-deposit-key"));
      if (error) {
        result.textContent = text("badKey");
        return;
      }
      result.textContent = text("hashing");
      const digests = await digestFile(file, null, Boolean((receipt.digests && receipt.digests.sm3) || receipt.sm3_commitment));
      if (key && !receipt.salt) {
        // Not escrowed: the salt is rebuilt here from the key and the file, the digests are the
        // file's; the key itself never leaves the page.
        receipt.salt = hex(await deriveSalt(key, digests.sha256));
        receipt.digests = { sha256: digests.sha256, sm3: receipt.sm3_commitment ? digests.sm3 : null };
      }
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

  window.shangmiEvidence = { digestFile, deriveSalt, bindDepositForm, bindVerifyForm, hex };

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
