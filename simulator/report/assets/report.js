/* geosim report: unpack plotly.js, draw figures as they come into view, switch variants,
 * prepare for print. Never writes HTML from data (text goes in through textContent).
 *
 * Sizes: every figure has a fixed height (in its layout and on its placeholder div), and
 * only its width follows the page. Nothing here calls Plotly.Plots.resize or uses
 * Plotly's `responsive` option: both recompute the height from the container and
 * collapse a fixed-height figure to the container's minimum. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("plot-config").textContent);
  var select = document.getElementById("view-select");
  var root = document.documentElement;
  var figures = [];  // {el, drawn}
  var specs = null;  // placeholder id -> {data, layout}, once unpacked
  var plotly = null;  // window.Plotly once unpacked
  var queued = false;
  var PRINT_WIDTH = 680;  // px: the text column of an A4 or Letter page
  var printing = false;

  function current() { return select ? select.value : null; }

  function sourceOf(view) {
    if (!select) { return null; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === view) { return select.options[i].getAttribute("data-source"); }
    }
    return null;
  }

  function viewLabel(view) {
    if (!select) { return ""; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === view) { return select.options[i].textContent; }
    }
    return "";
  }

  function traceVisible(trace, view) {
    return !(trace.meta && trace.meta.view) || trace.meta.view === view;
  }

  function isShown(el) { return el.offsetParent !== null; }

  function targetWidth(el) { return printing ? Math.min(PRINT_WIDTH, el.clientWidth || PRINT_WIDTH) : el.clientWidth; }

  function draw(f) {
    if (f.drawn || !plotly || !specs || !specs[f.el.id]) { return; }
    var fig = specs[f.el.id];
    delete specs[f.el.id];  // drawn once; Plotly keeps its own copy
    var view = current();
    fig.data.forEach(function (t) { t.visible = traceVisible(t, view); });
    fig.layout.width = targetWidth(f.el);
    fig.layout.autosize = false;
    plotly.newPlot(f.el, fig.data, fig.layout, config);
    f.drawn = true;
    f.el.setAttribute("data-drawn", "1");
  }

  /* Draw the shown figures that are still waiting, a few per frame, so that the page
   * stays scrollable; then mark the page as fully drawn. */
  function drawRest() {
    if (queued || !plotly) { return; }
    queued = true;
    root.removeAttribute("data-drawn");
    function step() {
      var started = Date.now();
      var waiting = figures.filter(function (f) { return !f.drawn && isShown(f.el); });
      while (waiting.length && Date.now() - started < 40) { draw(waiting.shift()); }
      if (waiting.length) { setTimeout(step, 0); return; }
      queued = false;
      root.setAttribute("data-drawn", "all");
    }
    setTimeout(step, 0);
  }

  function fitWidths() {
    figures.forEach(function (f) {
      if (!f.drawn || !isShown(f.el)) { return; }
      var width = targetWidth(f.el);
      if (width > 0 && Math.abs(f.el._fullLayout.width - width) > 1) {
        plotly.relayout(f.el, { width: width });
      }
    });
  }

  function apply() {
    var view = current();
    var source = sourceOf(view);
    var els = document.querySelectorAll("[data-view]");
    for (var i = 0; i < els.length; i++) { els[i].hidden = els[i].getAttribute("data-view") !== view; }
    els = document.querySelectorAll("[data-source]");
    for (i = 0; i < els.length; i++) {
      if (els[i].tagName !== "OPTION") { els[i].hidden = els[i].getAttribute("data-source") !== source; }
    }
    var label = document.getElementById("print-view");
    if (label) { label.textContent = viewLabel(view); }
    if (!plotly) { return; }
    figures.forEach(function (f) {
      if (!f.drawn) { return; }
      var data = f.el.data;
      var tagged = [];
      var vis = [];
      for (var k = 0; k < data.length; k++) {
        if (data[k].meta && data[k].meta.view) {
          tagged.push(k);
          vis.push(data[k].meta.view === view);
        }
      }
      if (tagged.length) { plotly.restyle(f.el, { visible: vis }, tagged); }
    });
    fitWidths();
    drawRest();
  }

  function observe() {
    var els = document.querySelectorAll("div.plot[id]");
    for (var i = 0; i < els.length; i++) { figures.push({ el: els[i], drawn: false }); }
    if (!("IntersectionObserver" in window)) { return; }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        for (var j = 0; j < figures.length; j++) {
          if (figures[j].el === entry.target) { draw(figures[j]); }
        }
      });
    }, { rootMargin: "600px 0px" });
    figures.forEach(function (f) { io.observe(f.el); });
  }

  function ready(lib, figs) {
    plotly = lib;
    specs = figs;
    root.setAttribute("data-plotly", "1");
    var top = window.innerHeight * 2;
    figures.forEach(function (f) {
      if (isShown(f.el) && f.el.getBoundingClientRect().top < top) { draw(f); }
    });
    drawRest();
  }

  function failed(message) {
    root.setAttribute("data-plotly", "failed");
    var note = document.getElementById("plotly-failed");
    if (note) { note.hidden = false; note.textContent = message; }
  }

  /* Resolves once the first screen of text has been painted: evaluating plotly.js takes
   * the main thread for a while, and the reader should be reading by then. */
  function painted() {
    return new Promise(function (resolve) {
      if (window.requestAnimationFrame) {
        requestAnimationFrame(function () { setTimeout(resolve, 0); });
      } else {
        setTimeout(resolve, 0);
      }
    });
  }

  function gunzip(id) {
    var bin = atob(document.getElementById(id).textContent);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  /* plotly.js and the figures travel gzip-compressed and base64-encoded (a third and a
   * fifth of their sizes); the browser's own DecompressionStream unpacks them, and
   * plotly.js then runs as an inline script. */
  function unpack() {
    if (!document.getElementById("figures-gz")) { return; }
    if (!("DecompressionStream" in window)) {
      failed("This browser cannot unpack the charts (it needs DecompressionStream); "
             + "the text and tables of the report are complete without them.");
      return;
    }
    var lib = window.Plotly ? Promise.resolve(null) : gunzip("plotly-gz");
    Promise.all([lib, gunzip("figures-gz"), painted()]).then(function (texts) {
      if (texts[0] !== null) {
        var script = document.createElement("script");
        script.textContent = texts[0];
        document.head.appendChild(script);
      }
      if (!window.Plotly) { failed("The charts could not be loaded."); return; }
      ready(window.Plotly, JSON.parse(texts[1]));
    }, function () { failed("The charts could not be unpacked."); });
  }

  function beforePrint() {
    if (printing) { return; }
    printing = true;
    if (plotly) {
      figures.forEach(function (f) { if (isShown(f.el)) { draw(f); } });
      fitWidths();
    }
  }

  function afterPrint() {
    if (!printing) { return; }
    printing = false;
    if (plotly) { fitWidths(); }
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (plotly && !printing) { fitWidths(); } }, 120);
  });
  if (select) { select.addEventListener("change", apply); }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    var onChange = function (e) { if (e.matches) { beforePrint(); } else { afterPrint(); } };
    if (mq.addEventListener) { mq.addEventListener("change", onChange); }
  }
  observe();
  apply();
  root.setAttribute("data-ready", "1");
  unpack();
})();
