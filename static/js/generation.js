// "Dados técnicos da geração" (SPEC §16): the totals (kWp of the modules, kW CA of the inverters) follow what
// is typed. The server computes them too on every answer (saving, "Adicionar linha" without JavaScript);
// this only keeps them live in between. After htmx replaces the form (a row added or removed) it runs again.
(() => {
  const format = (value, places) =>
    value.toLocaleString("pt-BR", { minimumFractionDigits: 0, maximumFractionDigits: places });

  // "1.234,5" and "8.5" as the server reads them (gdportal.formfields.BRDecimalField, simplified).
  function parse(text) {
    let value = String(text || "").trim().replace(/\s/g, "");
    if (!value) return 0;
    if (value.includes(",")) value = value.replace(/\./g, "").replace(",", ".");
    const number = Number(value);
    return Number.isFinite(number) ? number : NaN;
  }

  function sum(form, group, field, scale) {
    let total = 0;
    form.querySelectorAll(`tr[data-group='${group}']`).forEach((row) => {
      const power = row.querySelector(`[data-field='${field}'] input`);
      const quantity = row.querySelector("[data-field='quantity'] input");
      if (!power || !quantity) return;
      const p = parse(power.value);
      const q = parse(quantity.value);
      if (!Number.isNaN(p) && !Number.isNaN(q)) total += (p * q) / scale;
    });
    return total;
  }

  function update(form) {
    const targets = {
      modules_kwp: [sum(form, "modules", "power_w", 1000), 3],
      inverters_kw: [sum(form, "inverters", "power_kw", 1), 3],
      generators_kva: [sum(form, "generators", "power_kva", 1), 2],
    };
    Object.entries(targets).forEach(([name, [value, places]]) => {
      const out = form.querySelector(`[data-total='${name}']`);
      if (out) out.textContent = format(value, places);
    });
  }

  function bind() {
    const form = document.querySelector("form[data-generation-form]");
    if (!form || form.dataset.totalsBound) return;
    form.dataset.totalsBound = "1";
    form.addEventListener("input", () => update(form));
    update(form);
  }

  bind();
  document.addEventListener("htmx:afterSettle", bind);
})();
