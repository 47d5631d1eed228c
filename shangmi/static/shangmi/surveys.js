/* Charts of a survey's results page (chart.js 4, served from /static/vendor/chartjs/).
 *
 * The numbers come from the page itself (a json_script block written by the server), so the
 * charts show exactly what the tables beside them say; nothing is fetched.
 */
(function () {
  "use strict";

  var source = document.getElementById("survey-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var GREEN = "#2e7d32";
  var RED = "#c62828";
  var BLUE = "#1f4e99";
  var ORANGE = "#e08a00";

  function percentAxis() {
    return { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } };
  }

  var awareness = document.getElementById("chart-awareness");
  if (awareness) {
    new Chart(awareness, {
      data: {
        labels: data.regions,
        datasets: [
          {
            type: "bar",
            label: data.text.awareness,
            data: data.awareness,
            // Green where the region meets the target, red where it does not.
            backgroundColor: data.awareness.map(function (v) { return v !== null && v >= data.target ? GREEN : RED; }),
            maxBarThickness: 64,
            order: 2,
          },
          {
            type: "line",
            label: data.text.target,
            data: data.regions.map(function () { return data.target; }),
            borderColor: ORANGE,
            borderDash: [6, 4],
            borderWidth: 2,
            pointRadius: 0,
            fill: false,
            order: 1,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: percentAxis() },
      },
    });
  }

  var rates = document.getElementById("chart-rates");
  if (rates) {
    new Chart(rates, {
      type: "bar",
      data: {
        labels: data.regions,
        datasets: [
          { label: data.text.nda, data: data.nda, backgroundColor: BLUE, maxBarThickness: 48 },
          { label: data.text.nonCompete, data: data.nonCompete, backgroundColor: ORANGE, maxBarThickness: 48 },
          { label: data.text.system, data: data.system, backgroundColor: GREEN, maxBarThickness: 48 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: percentAxis() },
      },
    });
  }
})();
