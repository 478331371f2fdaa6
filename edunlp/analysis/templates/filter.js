// Filters the indicator table in place: no network, and text is only compared, never inserted as markup.
// The address can set the filters, so a filtered table can be shared: indicators-1.html?region=江苏&q=用户
(() => {
  const form = document.getElementById("indicator-filters");
  const rows = Array.from(document.querySelectorAll("table.indicators tbody tr"));
  const shown = document.getElementById("indicators-shown");
  const apply = () => {
    const month = form.elements.month.value, region = form.elements.region.value;
    const label = form.elements.label.value, words = form.elements.q.value.trim().toLowerCase();
    let count = 0;
    for (const row of rows) {
      const d = row.dataset;
      const keep = (!month || d.month === month) && (!region || d.region === region)
        && (!label || d.label === label) && (!words || d.name.includes(words));
      row.hidden = !keep;
      count += keep;
    }
    shown.textContent = String(count);
  };
  const wanted = new URLSearchParams(location.search);
  for (const name of ["month", "region", "label", "q"]) {
    if (wanted.has(name)) form.elements[name].value = wanted.get(name);
  }
  form.addEventListener("input", apply);
  form.addEventListener("reset", () => setTimeout(apply));
  apply();
  form.hidden = false;
})();
