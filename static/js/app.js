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
      // On a phone-wide date axis, month labels on one line ("Nov 2026", some 60 px each) run together: put the
      // year under the month there, and the month under the day for day ticks.
      if (layout.xaxis && layout.xaxis.type === "date" && !layout.xaxis.tickformat && el.clientWidth < 480) {
        layout.xaxis = Object.assign({}, layout.xaxis, {
          tickformatstops: [
            { dtickrange: [null, 86400000 * 27], value: "%-d\n%b" },
            { dtickrange: [86400000 * 27, null], value: "%b\n%Y" },
          ],
        });
      }
      Plotly.newPlot(el, figure.data, layout, { responsive: true, displaylogo: false }).then(fitFootLegend);
      el.dataset.drawn = "1";
    });
  }
  // A legend at the figure's foot (yref "container") takes as many rows as the width needs: the bottom margin
  // grows to hold the date labels and every row of it, so neither draws over the other on a phone.
  function fitFootLegend(el) {
    var legend = el.layout && el.layout.legend;
    var box = el.querySelector(".legend");
    if (!legend || legend.yref !== "container" || !box) return;
    var wanted = Math.ceil(box.getBoundingClientRect().height) + 45;
    if (Math.abs(wanted - el.layout.margin.b) > 4) Plotly.relayout(el, { "margin.b": wanted });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart].js-plotly-plot").forEach(function (el) {
      setTimeout(function () { fitFootLegend(el); }, 120);
    });
  });
  // A chart put back by Back/Forward is Plotly's old drawing without its data or listeners (a picture, or an
  // empty frame): clear it and draw it again from its JSON.
  function redrawCharts(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      el.innerHTML = "";
      el.classList.remove("js-plotly-plot");
      delete el.dataset.drawn;
    });
    drawCharts(root);
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
  document.addEventListener("htmx:historyRestore", function () { controlsFromAddress(); redrawCharts(document); });
  // HTMX keeps a page for Back as its HTML, saved after the control that changed it was already changed, so a
  // restored selector could name another choice than its restored card: the address says what was chosen.
  function controlsFromAddress() {
    var params = new URLSearchParams(location.search);
    document.querySelectorAll("form[hx-push-url] select[name], form[hx-push-url] input[name]").forEach(function (el) {
      if (!params.has(el.name) || el.type === "hidden" || el.type === "checkbox" || el.type === "radio") return;
      el.value = params.get(el.name);
    });
  }
  // One action, one history entry: a request for the address already shown (a select that submitted on
  // change, then its form's button) replaces the entry instead of pushing the same address again.
  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    var update = event.detail.history;
    if (!update || update.type !== "push") return;
    var next = new URL(update.path, location.href);
    if (next.pathname === location.pathname && next.search === location.search) update.type = "replace";
  });
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
