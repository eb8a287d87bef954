/* The console's grade distribution charts (templates/console/evaluation.html): one bar chart
   per model from the data-figures attribute of #evaluation; the numbers are also in the
   table below each chart. No inline script: the page's CSP allows scripts from this host. */
(function () {
  'use strict';
  var root = document.getElementById('evaluation');
  if (!root || typeof echarts === 'undefined') {
    return;
  }
  var figures = JSON.parse(root.getAttribute('data-figures'));
  var charts = [];
  figures.distribution.forEach(function (d) {
    var el = document.getElementById('chart-dist-' + d.model);
    if (!el) {
      return;
    }
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 16, right: 24, top: 40, bottom: 16, containLabel: true },
      xAxis: {
        type: 'category',
        data: d.grades.map(function (g) { return g.letter ? g.label + '（' + g.letter + '）' : g.label; }),
      },
      yAxis: { type: 'value', name: '主体数', minInterval: 1 },
      series: [{
        name: '主体数',
        type: 'bar',
        label: { show: true, position: 'top' },
        data: d.grades.map(function (g) { return g.subjects; }),
      }],
    });
    charts.push(chart);
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
}());
