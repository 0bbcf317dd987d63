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
  var figures = [];  // {el, block, drawn}
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
    if (f.drawn || !plotly) { return; }
    var fig = JSON.parse(f.block.textContent);
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
    var blocks = document.querySelectorAll("script.fig-data");
    for (var i = 0; i < blocks.length; i++) {
      var el = document.getElementById(blocks[i].getAttribute("data-target"));
      if (el) { figures.push({ el: el, block: blocks[i], drawn: false }); }
    }
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

  function ready(lib) {
    plotly = lib;
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

  /* plotly.js travels gzip-compressed and base64-encoded (a third of its size); the
   * browser's own DecompressionStream unpacks it, and it runs as an inline script. */
  function unpack() {
    if (window.Plotly) { ready(window.Plotly); return; }
    var packed = document.getElementById("plotly-gz");
    if (!packed || !("DecompressionStream" in window)) {
      failed("This browser cannot unpack the charts (it needs DecompressionStream); "
             + "the text and tables of the report are complete without them.");
      return;
    }
    var bin = atob(packed.textContent);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    new Response(stream).text().then(function (code) {
      var script = document.createElement("script");
      script.textContent = code;
      document.head.appendChild(script);
      if (window.Plotly) { ready(window.Plotly); } else { failed("The charts could not be loaded."); }
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
