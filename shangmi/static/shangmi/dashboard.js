/* The region dashboard's map (ECharts, served from /static/vendor/echarts/), drawn as SVG:
 * its labels are text in the page (read by people, screen readers and the browser test).
 * Reads #dashboard-map-config (json_script): the boundaries' URL (GeoJSON of the children, by
 * division code), the chosen figure per child and the click-through address. Labels are the
 * regions' Chinese names; a click opens the child's own dashboard. */
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-map");
  var source = document.getElementById("dashboard-map-config");
  if (!holder || !source || !window.echarts) return;
  var config = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder, null, { renderer: "svg" });
  window.shangmiDashboardChart = chart;
  fetch(config.boundaries, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("boundaries " + response.status);
      return response.json();
    })
    .then(function (geojson) {
      var mapName = "region-" + config.region;
      window.echarts.registerMap(mapName, geojson);
      var values = config.data
        .map(function (d) { return d.value; })
        .filter(function (v) { return v !== null; });
      var max = values.length ? Math.max.apply(null, values) : 1;
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var v = p.data && p.data.value !== null && p.data.value !== undefined ? p.data.value + config.unit : "—";
            return p.name + "<br>" + config.figure + ": " + v;
          }
        },
        visualMap: {
          min: 0, max: max > 0 ? max : 1, calculable: true, left: "left", bottom: 0,
          inRange: { color: ["#e8f1fb", "#0b5ed7"] }
        },
        series: [{
          type: "map", map: mapName, nameProperty: "name", roam: false,
          label: { show: true, fontSize: 10, fontFamily: "Noto Sans CJK SC, Noto Sans SC, sans-serif" },
          emphasis: { label: { show: true } },
          data: config.data.map(function (d) { return { name: d.name, value: d.value, code: d.code }; })
        }]
      });
      holder.setAttribute("data-rendered", "true");
      chart.on("click", function (p) {
        if (p.data && p.data.code) window.location.href = config.link + encodeURIComponent(p.data.code);
      });
    })
    .catch(function () {
      holder.setAttribute("data-rendered", "failed");
    });
  window.addEventListener("resize", function () { chart.resize(); });
})();
