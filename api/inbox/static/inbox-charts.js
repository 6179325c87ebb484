// Small inline SVG charts drawn by hand: horizontal bars for counts by category, columns
// for a series over time. Each chart is an image with a text alternative listing values.
const SVG = "http://www.w3.org/2000/svg";

function svgNode(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function figure(title, svg, rows) {
  const wrap = document.createElement("figure");
  wrap.className = "chart";
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${title}: ${rows.map(([name, value]) => `${name} ${value}`).join(", ")}`);
  wrap.append(caption, svg);
  return wrap;
}

// rows: [[label, value], ...], largest first.
export function barChart(title, rows, emptyText) {
  const sorted = [...rows].sort((a, b) => b[1] - a[1]);
  const width = 560, labelWidth = 190, row = 30, max = Math.max(1, ...sorted.map((r) => r[1]));
  const height = Math.max(1, sorted.length) * row + 8;
  const svg = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "bars" });
  if (!sorted.length) svg.append(svgNode("text", { x: 8, y: 22, class: "empty" }, emptyText));
  sorted.forEach(([name, value], index) => {
    const y = index * row + 4;
    const barWidth = Math.max(2, ((width - labelWidth - 56) * value) / max);
    svg.append(
      svgNode("text", { x: labelWidth - 8, y: y + 19, "text-anchor": "end", class: "label" }, name),
      svgNode("rect", { x: labelWidth, y: y + 4, width: barWidth, height: row - 10, rx: 3, class: "bar" }),
      svgNode("text", { x: labelWidth + barWidth + 6, y: y + 19, class: "value" }, String(value)),
    );
  });
  return figure(title, svg, sorted);
}

// points: [[label, value], ...] in time order.
export function columnChart(title, points) {
  const width = 560, height = 200, base = 170, left = 8;
  const max = Math.max(1, ...points.map((p) => p[1]));
  const step = (width - left * 2) / Math.max(1, points.length);
  const svg = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "columns" });
  svg.append(svgNode("line", { x1: left, x2: width - left, y1: base, y2: base, class: "axis" }));
  points.forEach(([name, value], index) => {
    const barHeight = ((base - 24) * value) / max;
    const x = left + index * step + step * 0.15;
    svg.append(
      svgNode("rect", { x, y: base - barHeight, width: step * 0.7, height: Math.max(barHeight, 1), rx: 3, class: "bar" }),
      svgNode("text", { x: x + step * 0.35, y: base - barHeight - 6, "text-anchor": "middle", class: "value" }, String(value)),
      svgNode("text", { x: x + step * 0.35, y: base + 20, "text-anchor": "middle", class: "label" }, name),
    );
  });
  return figure(title, svg, points);
}
