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
