/* Draws every <canvas data-chart> from its figures with the vendored Chart.js.
   The figures are also a table beside the chart; this file only draws them. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  // The page's font stack, CJK fonts included, so Chinese labels read.
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  var colours = ["#b3261e", "#1b6e3a", "#1f5aa6", "#8a5a00", "#6b3fa0", "#00707a"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var c = colours[i % colours.length];
          return { label: s.label, data: s.data, borderColor: c, backgroundColor: c,
                   spanGaps: true, tension: 0 };
        })
      },
      options: { responsive: true, maintainAspectRatio: false,
                 plugins: { legend: { display: spec.series.length > 1 } } }
    });
  });
})();
