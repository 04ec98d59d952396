// The plan's timeline (时间线): one bar per task from its start to its deadline, drawn as
// a horizontal stacked bar over an invisible offset (the usual Gantt in ECharts).
(function () {
  "use strict";
  var el = document.getElementById("plan-timeline");
  var data = document.getElementById("plan-timeline-data");
  if (!el || !data || typeof echarts === "undefined") { return; }
  var t = JSON.parse(data.textContent);
  if (!t.labels.length) { el.textContent = el.getAttribute("data-empty") || ""; el.style.height = "auto"; return; }
  el.style.height = Math.max(160, 28 * t.labels.length + 60) + "px";
  var start = new Date(t.year, 0, 1);
  function day(n) {
    var d = new Date(start.getTime() + n * 86400000);
    return (d.getMonth() + 1) + "月" + d.getDate() + "日";
  }
  var chart = echarts.init(el, null, { locale: "ZH" });
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
      var i = ps[0].dataIndex;
      return t.labels[i] + "<br>" + day(t.offsets[i]) + " — " + day(t.offsets[i] + t.spans[i]);
    } },
    xAxis: { type: "value", min: 0, max: 365, interval: 61, axisLabel: { formatter: function (v) { return day(v); } } },
    yAxis: { type: "category", data: t.labels, inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
    series: [
      { type: "bar", stack: "t", data: t.offsets, itemStyle: { color: "transparent" }, silent: true },
      { type: "bar", stack: "t", barMaxWidth: 16,
        data: t.spans.map(function (s, i) { return { value: s, itemStyle: { color: t.colours[i] } }; }),
        markLine: { symbol: "none", silent: true, lineStyle: { color: "#6c757d", type: "dashed" },
                    label: { formatter: "今天" }, data: [{ xAxis: t.today }] } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
