// Draw the monthly chart on the statistics page from the JSON the page embeds.
// The table below the chart shows the same numbers without JavaScript.
(function () {
  "use strict";

  var COLOURS = ["#1f5fbf", "#6aa3f0", "#b42318"];

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("monthly-chart");
    var source = document.getElementById("monthly-chart-data");
    if (!canvas || !source || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            stack: series.stack,
            backgroundColor: COLOURS[index % COLOURS.length]
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
  });
})();
