// Draws the managers' dashboard charts with Chart.js (vendor/chartjs, from npm).
// The numbers come from the json_script block "dashboard-charts"; every chart has a table
// beside it with the same numbers, so the canvases are hidden from assistive technology.
(function () {
  "use strict";

  // Colour-blind-safe palette (Okabe-Ito), distinguishable in greyscale by order.
  var COLOURS = ["#0072B2", "#E69F00", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

  function draw(canvas, spec) {
    var horizontal = Boolean(spec.horizontal);
    var datasets = spec.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: colour,
        borderColor: colour,
        spanGaps: true,
        tension: 0.2,
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: Boolean(spec.stacked),
      title: { display: Boolean(spec.y_title), text: spec.y_title || "" },
      ticks: { precision: 0 },
    };
    var categoryAxis = { stacked: Boolean(spec.stacked) };
    return new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: horizontal ? 1.2 : 1.6,
        animation: false,
        plugins: { legend: { display: spec.series.length > 1, position: "bottom" } },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      },
    });
  }

  function init() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.Chart) {
      return;
    }
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = charts[canvas.dataset.chart];
      if (spec) {
        draw(canvas, spec);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
