// Cadastramento de UC recebedora (SPEC §7.1): "Inserir registro" adds a row of "Relação de instalações" in the
// page, from the empty row the server put in a <template>; and only the columns of the chosen way of sharing
// (percentages, or priority order with the unit that takes the remainder) are shown. Without JavaScript the
// button posts the form and the server answers with one more row, everything typed kept; both columns show.
(() => {
  const form = document.querySelector("form[data-allocation-form]");
  const template = document.querySelector("template[data-row-template]");
  if (!form || !template) return;
  const body = form.querySelector("[data-rows]");
  const total = form.querySelector("input[name$='-TOTAL_FORMS']");
  const max = form.querySelector("input[name$='-MAX_NUM_FORMS']");
  const button = form.querySelector("[data-add-row]");
  if (!body || !total || !button) return;

  function applyMode() {
    const checked = form.querySelector("input[name='mode']:checked");
    const mode = checked ? checked.value : "percent";
    form.querySelectorAll("[data-mode-col]").forEach((cell) => {
      cell.hidden = cell.dataset.modeCol !== mode;
    });
  }

  button.addEventListener("click", (event) => {
    const count = parseInt(total.value, 10) || 0;
    // At the limit the button posts, and the server says how many rows the list takes.
    if (max && count >= parseInt(max.value, 10)) return;
    event.preventDefault();
    const html = template.innerHTML
      .replace(/__prefix__/g, String(count))
      .replace(/__line__/g, String(count + 1));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(count + 1);
    applyMode();
    const first = body.lastElementChild && body.lastElementChild.querySelector("input[type=text]");
    if (first) first.focus();
  });

  form.querySelectorAll("input[name='mode']").forEach((input) => input.addEventListener("change", applyMode));
  applyMode();
})();
