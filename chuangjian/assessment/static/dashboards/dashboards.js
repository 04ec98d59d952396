/* 考核看板: draw every [data-chart] element from the JSON the view rendered beside it. */
(function () {
  "use strict";
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }
  // Names come from the database: tooltips are built here with every text escaped.
  var tooltips = {
    points: function (labels) {
      return function (p) {
        return esc(p.name) + "：" + esc(p.value == null ? "—" : p.value) + " " + esc(labels.points);
      };
    },
    // Heat map cell: unit, indicator, value, target, status and points (labels from the view).
    heat: function (labels) {
      return function (p) {
        var d = p.data || {};
        return "<b>" + esc(d.unit) + "</b><br>" + esc(d.ind) +
          "<br>" + esc(labels.value) + "：" + esc(d.shown) +
          "<br>" + esc(labels.target) + "：" + esc(d.target || "—") +
          "<br>" + esc(labels.status) + "：" + esc(d.status) +
          "　" + esc(labels.score) + "：" + esc(d.score) + " / " + esc(d.max);
      };
    }
  };
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || typeof echarts === "undefined") { return; }
    var option = JSON.parse(source.textContent);
    if (!option) { return; }
    var named = option._tooltip, labels = option._labels || {};
    delete option._tooltip;
    delete option._labels;
    if (named && tooltips[named]) {
      option.tooltip = Object.assign({}, option.tooltip || {}, {formatter: tooltips[named](labels)});
    }
    // "_fit": the width (px) a category label needs; where the chart is too narrow to
    // give each category that much, the labels are turned and shortened instead.
    var fit = option._fit;
    delete option._fit;
    var upright = fit && option.xAxis ? Object.assign({}, option.xAxis.axisLabel || {}) : null;
    function fitLabels() {
      if (!upright) { return; }
      var n = (option.xAxis.data || []).length || 1;
      var narrow = el.clientWidth * 0.8 / n < fit;
      option.xAxis.axisLabel = narrow
        ? Object.assign({}, upright, {rotate: 45, width: 80, overflow: "truncate"})
        : Object.assign({rotate: 0}, upright);
      el.setAttribute("data-labels", narrow ? "turned" : "upright");
    }
    option.animation = false;
    fitLabels();
    var chart = echarts.init(el, null, {locale: "ZH", renderer: "canvas"});
    chart.setOption(option);
    chart.on("click", function (p) {
      if (p.data && p.data.url) { window.location.href = p.data.url; }
    });
    window.addEventListener("resize", function () {
      if (upright) {
        fitLabels();
        chart.setOption({xAxis: {axisLabel: option.xAxis.axisLabel}});
      }
      chart.resize();
    });
    el.setAttribute("data-drawn", "1");
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
