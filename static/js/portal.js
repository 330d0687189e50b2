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
