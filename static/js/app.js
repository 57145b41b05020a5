// Charts: any element with data-chart="<id of a json_script>" is drawn with Plotly,
// on first load and whenever HTMX swaps new content in.
(function () {
  function drawCharts(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source || el.dataset.drawn === "1") return;
      var figure = JSON.parse(source.textContent);
      var layout = Object.assign(
        { margin: { t: 30, r: 20, b: 40, l: 55 }, hovermode: "x unified", font: { family: "system-ui, sans-serif", size: 12 },
          legend: { orientation: "h", y: -0.2 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" },
        figure.layout || {}
      );
      Plotly.newPlot(el, figure.data, layout, { responsive: true, displaylogo: false });
      el.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
  // Every HTMX request carries the CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("meta[name=csrf-token]");
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });
})();
// A select marked data-autosubmit submits its form when changed (the form's own button
// stays for keyboards and for pages without JavaScript).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
});
// Charts about to be replaced by an HTMX swap release Plotly's listeners first.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (!window.Plotly) return;
  event.detail.target.querySelectorAll(".js-plotly-plot").forEach(function (el) { Plotly.purge(el); });
});
