/* The console's dashboard charts (templates/console/dashboard.html). The figures come from
   the data-figures attribute of #dashboard (the same as GET /api/v1/reports/dashboard);
   every chart's numbers are also in the table below it. No inline script: the page's CSP
   allows scripts from this host only. */
(function () {
  'use strict';
  var root = document.getElementById('dashboard');
  if (!root || typeof echarts === 'undefined') {
    return;
  }
  var figures = JSON.parse(root.getAttribute('data-figures'));
  var d = figures.dashboard;
  var charts = [];
  var pct = function (v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; };
  var base = {
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 16, right: 24, top: 64, bottom: 16, containLabel: true },
  };

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) {
      return;
    }
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(Object.assign({}, base, option));
    charts.push(chart);
  }

  function label(code, name) { return name + '（' + code + '）'; }

  // Records per department and month: one stacked bar series per department.
  var depts = [];
  var names = {};
  d.records.forEach(function (r) {
    if (names[r.department] === undefined) {
      depts.push(r.department);
      names[r.department] = r.department_name;
    }
  });
  draw('chart-records', {
    legend: { type: 'scroll', top: 0 },
    xAxis: { type: 'category', data: d.months, axisLabel: { rotate: 45 } },
    yAxis: { type: 'value', name: '记录数' },
    series: depts.map(function (code) {
      return {
        name: label(code, names[code]),
        type: 'bar',
        stack: 'records',
        data: d.months.map(function (m) {
          var row = d.records.find(function (r) { return r.month === m && r.department === code; });
          return row ? row.rows : 0;
        }),
      };
    }),
  });

  // On-time and rejection rates per department over the window.
  var totals = figures.totals;
  draw('chart-rates', {
    legend: { top: 0 },
    xAxis: { type: 'category', data: totals.map(function (t) { return t.department_name; }), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', name: '%', max: 100 },
    series: [
      { name: '按时报送率', type: 'bar', data: totals.map(function (t) { return pct(t.on_time_rate); }) },
      { name: '拒收率', type: 'bar', data: totals.map(function (t) { return pct(t.rejection_rate); }) },
    ],
  });

  // 重码/错码 rate per department against the target (a mark line).
  var quality = d.quality.departments;
  var target = d.quality.target_permille;
  draw('chart-quality', {
    legend: { top: 0 },
    grid: { left: 16, right: 64, top: 64, bottom: 16, containLabel: true },
    xAxis: { type: 'category', data: quality.map(function (q) { return q.department_name; }), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', name: '‰' },
    series: [{
      name: '重码/错码率（‰）',
      type: 'bar',
      data: quality.map(function (q) {
        return {
          value: q.conflict_rate_permille,
          itemStyle: { color: q.meets_target === false ? '#b7202e' : '#2b6cb0' },
        };
      }),
      markLine: {
        symbol: 'none',
        lineStyle: { color: '#b7202e', type: 'dashed' },
        label: { formatter: '目标 ' + target + '‰' },
        data: [{ yAxis: target }],
      },
    }],
  });

  // List sizes today.
  var types = d.lists.types;
  draw('chart-lists', {
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: types.map(function (t) { return t.name; }), axisLabel: { rotate: 30, width: 120, overflow: 'truncate' } },
    yAxis: { type: 'value', name: '在列数' },
    series: [{
      name: '在列数',
      type: 'bar',
      data: types.map(function (t) {
        var black = t.kind === 'black' || t.kind === 'ban';
        return { value: t.members, itemStyle: { color: black ? '#444' : (t.kind === 'red' ? '#b7202e' : '#2b6cb0') } };
      }),
    }],
  });

  // Checks and measures per month.
  var checks = d.checks;
  var months = checks.map(function (c) { return c.month; });
  draw('chart-checks', {
    legend: { top: 0 },
    xAxis: { type: 'category', data: months, axisLabel: { rotate: 45 } },
    yAxis: { type: 'value' },
    series: [
      ['核查次数', 'checks'],
      ['有措施的核查', 'checks_with_measures'],
      ['返回措施', 'measures_returned'],
      ['已实施措施', 'measures_applied'],
    ].map(function (s) {
      return { name: s[0], type: 'line', data: checks.map(function (c) { return c[s[1]]; }) };
    }),
  });

  // Cases of every workflow: opened and closed per month (bars), the share of duty steps
  // taken by their deadline (a line on the right axis).
  var caseSeries = [];
  d.cases.forEach(function (w) {
    caseSeries.push({ name: w.name + '·立案', type: 'bar', data: w.months.map(function (m) { return m.opened; }) });
    caseSeries.push({ name: w.name + '·办结', type: 'bar', data: w.months.map(function (m) { return m.closed; }) });
    caseSeries.push({
      name: w.name + '·按期办理率',
      type: 'line',
      yAxisIndex: 1,
      connectNulls: true,
      data: w.months.map(function (m) { return pct(m.on_time_rate); }),
    });
  });
  draw('chart-cases', {
    legend: { type: 'scroll', top: 0 },
    xAxis: { type: 'category', data: d.months, axisLabel: { rotate: 45 } },
    yAxis: [
      { type: 'value', name: '件数', minInterval: 1 },
      { type: 'value', name: '%', max: 100, min: 0 },
    ],
    series: caseSeries,
  });

  // Commitments per type, stacked by status (the coverage of GET /api/v1/commitments/statistics).
  var coverage = figures.commitments;
  if (coverage) {
    var statusCodes = Object.keys(coverage.status_labels);
    draw('chart-commitments', {
      legend: { top: 0 },
      xAxis: { type: 'category', data: coverage.by_type.map(function (t) { return t.label; }), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', name: '件数', minInterval: 1 },
      series: statusCodes.map(function (code) {
        return {
          name: coverage.status_labels[code],
          type: 'bar',
          stack: 'commitments',
          data: coverage.by_type.map(function (t) { return t.by_status[code]; }),
        };
      }),
    });
  }

  // Voluntary records' share per department against the configured target (a mark line).
  var share = figures.voluntary;
  if (share) {
    var goal = pct(share.target.share);
    draw('chart-voluntary', {
      grid: { left: 16, right: 64, top: 64, bottom: 16, containLabel: true },
      xAxis: { type: 'category', data: share.departments.map(function (r) { return r.department_name; }), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', name: '%', min: 0, max: 100 },
      series: [{
        name: '自愿注册记录占比（%）',
        type: 'bar',
        data: share.departments.map(function (r) {
          return { value: pct(r.share), itemStyle: { color: r.reached ? '#2f855a' : '#2b6cb0' } };
        }),
        markLine: {
          symbol: 'none',
          lineStyle: { color: '#b7202e', type: 'dashed' },
          label: { formatter: '目标 ' + goal + '%' },
          data: [{ yAxis: goal }],
        },
      }],
    });
  }

  // Alerts by status (the office's and auditors' only).
  if (d.alerts) {
    draw('chart-alerts', {
      xAxis: { type: 'category', data: d.alerts.map(function (a) { return a.name; }) },
      yAxis: { type: 'value', name: '预警数', minInterval: 1 },
      series: [{ name: '预警数', type: 'bar', data: d.alerts.map(function (a) { return a.count; }) }],
    });
  }

  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
}());
