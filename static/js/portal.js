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
