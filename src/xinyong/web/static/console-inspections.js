/* The console's 双随机 coverage charts (templates/console/inspection_coverage.html and
   _inspection_strata_chart.html): every element with class "js-chart" carries its chart in
   data-chart ({categories, series: [{name, data}], unit, stack}); the same numbers are in the
   table beside it. No inline script: the page's CSP allows scripts from this host. */
(function () {
  'use strict';
  if (typeof echarts === 'undefined') {
    return;
  }
  var charts = [];
  Array.prototype.forEach.call(document.querySelectorAll('.js-chart'), function (el) {
    var spec = JSON.parse(el.getAttribute('data-chart'));
    var unit = spec.unit || '';
    // Long Chinese category labels (strata, items) wrap within their slot instead of overlapping.
    var slot = Math.max(48, Math.floor((el.clientWidth * 0.85) / Math.max(1, spec.categories.length)));
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 16, right: 24, top: 40, bottom: 16, containLabel: true },
      xAxis: { type: 'category', data: spec.categories, axisLabel: { interval: 0, width: slot, overflow: 'break' } },
      yAxis: {
        type: 'value',
        name: spec.axis || '',
        minInterval: unit ? 0 : 1,
        axisLabel: { formatter: '{value}' + unit },
      },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: 'bar',
          stack: spec.stack ? 'all' : undefined,
          label: {
            show: true,
            position: spec.stack ? 'inside' : 'top',
            // an empty segment of a stack has no label (a lone "0" on top of the bar misleads)
            formatter: function (p) { return p.value ? p.value + unit : (spec.stack ? '' : '0' + unit); },
          },
          data: s.data,
        };
      }),
    });
    charts.push(chart);
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
}());
