// The report pages' chart script (page_script.h).

#include "report/page_script.h"

namespace loyalty::sync::report {
namespace {

// Plain ES2015 without modules: the page has no build step. Colours are opaque, so that a test
// can find each dataset's pixels.
constexpr std::string_view script = R"js(
(function () {
  'use strict';
  var palette = ['#1f5f8b', '#e07b00', '#2e8b3e', '#b8312f', '#6a4c93', '#7f6b00'];

  // Minor units with 2 decimals by string arithmetic: 459000 -> "4590.00".
  function moneyText(value) {
    if (!Number.isInteger(value)) return String(value);
    var digits = String(Math.abs(value));
    while (digits.length < 3) digits = '0' + digits;
    return (value < 0 ? '-' : '') + digits.slice(0, -2) + '.' + digits.slice(-2);
  }

  function formatter(format) {
    return format === 'money' ? moneyText : function (value) { return String(value); };
  }

  function valueScale(axis, stacked, position) {
    var format = formatter(axis.format);
    return {
      stacked: stacked,
      beginAtZero: true,
      position: position,
      ticks: { precision: 0, callback: function (value) { return format(value); } },
      title: { display: true, text: axis.title }
    };
  }

  function tooltipLabel(spec) {
    return function (context) {
      var format = spec.label_formats ? spec.label_formats[context.dataIndex]
                                      : spec.datasets[context.datasetIndex].format;
      var value = spec.horizontal ? context.parsed.x : context.parsed.y;
      return context.dataset.label + ': ' + formatter(format)(value);
    };
  }

  function datasets(spec) {
    return spec.datasets.map(function (d, i) {
      var color = palette[i % palette.length];
      var dataset = { label: d.label, data: d.data, backgroundColor: color, borderColor: color };
      if (spec.type === 'line') {
        dataset.borderWidth = 2;
        dataset.pointRadius = 4;
        dataset.fill = false;
      }
      if (!spec.horizontal) dataset.yAxisID = d.axis;
      return dataset;
    });
  }

  function config(spec) {
    var scales = {};
    scales[spec.horizontal ? 'y' : 'x'] = { stacked: spec.stacked };
    scales[spec.horizontal ? 'x' : 'y'] =
        valueScale(spec.axes.y, spec.stacked, spec.horizontal ? 'bottom' : 'left');
    if (spec.axes.y1) {
      scales.y1 = valueScale(spec.axes.y1, spec.stacked, 'right');
      scales.y1.grid = { drawOnChartArea: false };
    }
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        scales: scales,
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: { callbacks: { label: tooltipLabel(spec) } }
        }
      }
    };
  }

  var data = JSON.parse(document.getElementById('chart-data').textContent);
  data.charts.forEach(function (spec) {
    var canvas = document.querySelector('canvas[data-chart="' + spec.name + '"]');
    if (canvas === null) throw new Error('no canvas for the chart ' + spec.name);
    new Chart(canvas, config(spec));
  });
  // Charts follow the paper's width when printed.
  window.addEventListener('beforeprint', function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
)js";

}  // namespace

std::string_view page_script() { return script; }

}  // namespace loyalty::sync::report
