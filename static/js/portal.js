// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Forms marked data-upload-progress send through XMLHttpRequest to show how much of the files has gone up
// (SPEC §13). The server's answer replaces the page exactly as a normal submit would: a redirect is followed,
// a form with errors is shown with its messages. Without JavaScript the form posts as usual.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-upload-progress]") || !window.FormData) return;
  const hasFile = Array.from(form.querySelectorAll("input[type=file]")).some((input) => input.files.length);
  if (!hasFile) return;
  event.preventDefault();
  const bar = form.querySelector("[data-progress]");
  const xhr = new XMLHttpRequest();
  xhr.open(form.method || "POST", form.action || window.location.href);
  xhr.upload.addEventListener("progress", (e) => {
    if (bar && e.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((e.loaded / e.total) * 100);
      bar.textContent = bar.value + "%";
    }
  });
  xhr.addEventListener("load", () => {
    if (xhr.responseURL && xhr.responseURL !== (form.action || window.location.href)) {
      window.location.assign(xhr.responseURL);
      return;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  });
  xhr.addEventListener("error", () => form.submit());
  form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = true; });
  xhr.send(new FormData(form));
});

// Masks (issue 10): inputs with data-mask show CPF, CNPJ, CEP, phone, protocol and dates the Brazilian way as
// they are typed or pasted, with or without punctuation. Presentation only: the server accepts both forms, so
// without JavaScript nothing is lost. Deleting is left alone (re-adding a dot the user just erased would trap
// the caret).
const MASK_PATTERNS = {
  cpf: "000.000.000-00",
  cnpj: "AA.AAA.AAA/AAAA-00",
  cep: "00000-000",
  landline: "(00) 0000-0000",
  mobile: "(00) 00000-0000",
  date: "00/00/0000",
};

function applyPattern(chars, pattern) {
  let out = "";
  let next = 0;
  for (const slot of pattern) {
    if (next >= chars.length) break;
    if (slot === "0" || slot === "A") {
      if (slot === "0" && !/\d/.test(chars[next])) break;
      out += chars[next];
      next += 1;
    } else {
      out += slot;
    }
  }
  return out;
}

// A letter or an "@" in a digits-only field (an e-mail in the CPF box) is left for the server to explain.
const digitsOnly = (pattern, max) => (value) => {
  if (/[^\d\s.\-/()+]/.test(value)) return value;
  return applyPattern(value.replace(/\D/g, "").slice(0, max), pattern);
};

const MASKS = {
  cpf: digitsOnly(MASK_PATTERNS.cpf, 11),
  cep: digitsOnly(MASK_PATTERNS.cep, 8),
  protocol: (value) => (/[^\d\s.\-/]/.test(value) ? value : value.replace(/\D/g, "").slice(0, 13)),
  document: (value) => {
    const bare = value.toUpperCase().replace(/[^0-9A-Z]/g, "").slice(0, 14);
    if (bare.length <= 11 && /^\d*$/.test(bare)) return applyPattern(bare, MASK_PATTERNS.cpf);
    return applyPattern(bare, MASK_PATTERNS.cnpj);
  },
  phone: (value) => {
    if (/[^\d\s.\-/()+]/.test(value)) return value;
    let digits = value.replace(/\D/g, "");
    if (digits.startsWith("55") && digits.length > 11) digits = digits.slice(2);
    digits = digits.slice(0, 11);
    return applyPattern(digits, digits.length > 10 ? MASK_PATTERNS.mobile : MASK_PATTERNS.landline);
  },
  date: (value) => {
    const iso = value.trim().match(/^(\d{4})-(\d{2})-(\d{2})$/);
    if (iso) return `${iso[3]}/${iso[2]}/${iso[1]}`;
    if (/[^\d/]/.test(value)) return value; // "2027-03-0…" still being typed, or letters: the server reads it
    // Slashes the user typed stay ("1/3/2027"); digits that overflow a day or a month are regrouped.
    const parts = value.split("/");
    if (parts.length <= 3 && parts.every((part, i) => part.length <= (i === 2 ? 4 : 2)) && parts.length > 1) {
      return value;
    }
    return applyPattern(value.replace(/\D/g, "").slice(0, 8), MASK_PATTERNS.date);
  },
};

function maskInput(input, inputType) {
  const mask = MASKS[input.dataset.mask];
  if (!mask || input.disabled || input.readOnly || (inputType && inputType.startsWith("delete"))) return;
  const old = input.value;
  const masked = mask(old);
  if (masked === old) return;
  // Keep the caret after the same number of letters and digits it had before.
  const caret = input.selectionStart ?? old.length;
  const significant = old.slice(0, caret).replace(/[^0-9A-Za-z]/g, "").length;
  input.value = masked;
  if (document.activeElement !== input) return;
  let position = 0;
  for (let seen = 0; position < masked.length && seen < significant; position += 1) {
    if (/[0-9A-Za-z]/.test(masked[position])) seen += 1;
  }
  try { input.setSelectionRange(position, position); } catch (e) { /* type=tel/text only */ }
}

document.addEventListener("input", (event) => {
  if (event.target.matches && event.target.matches("input[data-mask]")) maskInput(event.target, event.inputType);
});

// The error summary (templates/includes/error_summary.html) takes the focus when the page opens, so a screen
// reader reads it first and the keyboard starts there; its links move the focus to the field itself.
function focusErrorSummary() {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  document.querySelectorAll("input[data-mask]").forEach((input) => maskInput(input));
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusErrorSummary);
else focusErrorSummary();

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field) return;
  event.preventDefault();
  const label = document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
  (label || field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});

// CAPTCHA (issue 10): with JavaScript, "New challenge" is a button that fetches a new image from the CAPTCHA's
// refresh endpoint and keeps what was typed in the rest of the form; without it, the link reloads the page.
document.querySelectorAll("[data-captcha-refresh]").forEach((tools) => {
  const box = tools.parentElement; // the field: image, inputs, these tools
  const button = tools.querySelector("[data-captcha-new]");
  const reload = tools.querySelector("[data-captcha-reload]");
  const status = tools.querySelector("[data-captcha-status]");
  if (!button || !window.fetch) return;
  button.hidden = false;
  if (reload) reload.hidden = true;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch(tools.dataset.captchaRefresh, {
        headers: { "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const fresh = await response.json();
      const key = box.querySelector("input[type=hidden][name$=_0]");
      const oldKey = key.value;
      key.value = fresh.key;
      box.querySelector("[data-captcha-image]").src = fresh.image_url;
      const audio = box.querySelector("[data-captcha-audio]");
      if (audio) audio.href = audio.getAttribute("href").replace(oldKey, fresh.key);
      const answer = box.querySelector("input[type=text][name$=_1]");
      answer.value = "";
      answer.focus();
      status.textContent = tools.dataset.captchaDone;
    } catch (error) {
      status.textContent = tools.dataset.captchaFailed;
      if (reload) reload.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
});

// Forms marked data-submit-once send once: a double click on "Enviar solicitação" posts a single request.
// The buttons are disabled after the browser has taken the submitter's name and value; a page restored by
// Back (bfcache, pageshow) gets them enabled again. Without JavaScript the server still answers a second
// post with the case that was sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-submit-once]")) return;
  if (form.dataset.submitting) {
    event.preventDefault();
    return;
  }
  if (event.defaultPrevented) return;
  form.dataset.submitting = "1";
  setTimeout(() => {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
      button.disabled = true;
    });
  }, 0);
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submit-once], form[data-upload-progress]").forEach((form) => {
    delete form.dataset.submitting;
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
      button.disabled = false;
    });
  });
});

// The request form (templates/atende/request_form.html): the motivo follows the installed power typed, and the
// GFC block shows only where the guarantee applies (minigeração above 500 kW, not shared generation or
// EMUC). The limits come from the server (data-power-limits …); the server still checks everything.
// Reads a number as gdportal/formfields.py BRDecimalField(thousands=True) does: "8,5", "8.5", "1.000", "1.000,5".
function parseBrazilianNumber(raw) {
  let text = (raw || "").trim().replace(/\s/g, "");
  if (!text) return NaN;
  if (text.includes(",")) {
    if (text.lastIndexOf(".") > text.lastIndexOf(",")) return NaN;
    text = text.replace(/\./g, "").replace(",", ".");
  } else if (/^[-+]?[1-9]\d{0,2}(\.\d{3})+$/.test(text)) {
    text = text.replace(/\./g, "");
  }
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
}

function setUpRequestForm(form) {
  const reason = form.querySelector("[name=reason]");
  const power = form.querySelector("[name=power_kw]");
  const modality = form.querySelector("[name=modality]");
  const gfc = form.querySelector("[data-gfc-block]");
  const note = form.querySelector("[data-reason-note]");
  if (!reason || !power) return;
  const limits = (form.dataset.powerLimits || "").split(" ").filter(Boolean).map((item) => {
    const [value, low, high] = item.split(":");
    return { value, low: Number(low), high: Number(high) };
  });
  const threshold = Number(form.dataset.gfcThreshold || "500");
  const exempt = (form.dataset.gfcExempt || "").split(" ");

  const showGfc = () => {
    if (!gfc) return;
    const kw = parseBrazilianNumber(power.value);
    const applies = reason.value === "mini" && kw > threshold && !(modality && exempt.includes(modality.value));
    gfc.hidden = !applies;
  };
  const pickReason = () => {
    const kw = parseBrazilianNumber(power.value);
    const fit = limits.find((limit) => kw > limit.low && kw <= limit.high);
    if (fit && reason.value !== fit.value && reason.querySelector(`option[value="${fit.value}"]`)) {
      reason.value = fit.value;
      if (note) note.hidden = false;
    }
    showGfc();
  };
  power.addEventListener("input", pickReason);
  reason.addEventListener("change", showGfc);
  if (modality) modality.addEventListener("change", showGfc);
  showGfc();
}

document.querySelectorAll("form[data-power-limits]").forEach(setUpRequestForm);
