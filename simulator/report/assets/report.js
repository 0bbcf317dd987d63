/* geosim report: draw the figures and switch variants. Never writes HTML from data. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("plot-config").textContent);
  var select = document.getElementById("view-select");
  var plots = [];

  function current() {
    return select ? select.value : null;
  }

  function sourceOf(view) {
    if (!select) { return null; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === view) { return select.options[i].getAttribute("data-source"); }
    }
    return null;
  }

  function traceVisible(trace, view) {
    return !(trace.meta && trace.meta.view) || trace.meta.view === view;
  }

  function isShown(el) {
    return el.offsetParent !== null;
  }

  function apply(redraw) {
    var view = current();
    var source = sourceOf(view);
    var els = document.querySelectorAll("[data-view]");
    for (var i = 0; i < els.length; i++) { els[i].hidden = els[i].getAttribute("data-view") !== view; }
    els = document.querySelectorAll("[data-source]");
    for (i = 0; i < els.length; i++) {
      if (els[i].tagName !== "OPTION") { els[i].hidden = els[i].getAttribute("data-source") !== source; }
    }
    if (!redraw) { return; }
    plots.forEach(function (el) {
      var vis = el.data.map(function (t) { return traceVisible(t, view); });
      var indices = el.data.map(function (_t, k) { return k; });
      Plotly.restyle(el, { visible: vis }, indices);
      if (isShown(el)) { Plotly.Plots.resize(el); }
    });
  }

  function draw() {
    apply(false);
    var view = current();
    var blocks = document.querySelectorAll("script.fig-data");
    for (var i = 0; i < blocks.length; i++) {
      var el = document.getElementById(blocks[i].getAttribute("data-target"));
      if (!el) { continue; }
      var fig = JSON.parse(blocks[i].textContent);
      fig.data.forEach(function (t) { t.visible = traceVisible(t, view); });
      Plotly.newPlot(el, fig.data, fig.layout, config);
      plots.push(el);
    }
  }

  if (select) {
    select.addEventListener("change", function () { apply(true); });
  }
  window.addEventListener("beforeprint", function () {
    plots.forEach(function (el) { if (isShown(el)) { Plotly.relayout(el, { width: 680 }); } });
  });
  window.addEventListener("afterprint", function () {
    plots.forEach(function (el) {
      if (isShown(el)) { Plotly.relayout(el, { width: null, autosize: true }); Plotly.Plots.resize(el); }
    });
  });
  draw();
  document.documentElement.setAttribute("data-ready", "1");
})();
