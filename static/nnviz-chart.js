// nnviz's chart (nnviz/ui/chart.py): draws a plotly figure with plotly.js's cartesian bundle.
//
// st.plotly_chart loads the full plotly.js (4.7 MB; 1.8-2.8 s of a fresh visit's main thread on a 2-core machine
// before the first chart shows). Every nnviz chart but the 3-D towers uses only scatter, bar, heatmap and contour
// traces, which the cartesian bundle (1.5 MB) draws. This module is loaded once per page (Streamlit's component
// loader imports it), starts loading plotly.js at once, and draws every chart the same way st.plotly_chart does:
// Streamlit's chart theme (LOOK), a full-width responsive plot, a text alternative, point clicks reported back.

const PLOTLY = new URL("plotly-cartesian-4.1.1.min.js", import.meta.url).href;

// Streamlit 1.67's chart theme for the app's light theme, as its st.plotly_chart merges it into a figure's template
// (read from a drawn chart's layout.template in Chromium). The figure's own colour cycle is kept: nnviz's is the
// colour-blind-safe Okabe-Ito cycle (nnviz/figures/style.py).
const LOOK = {"layout":{"coloraxis":{"colorscale":[[0,"#e4f5ff"],[0.1111111111111111,"#c7ebff"],[0.2222222222222222,"#a6dcff"],[0.3333333333333333,"#83c9ff"],[0.4444444444444444,"#60b4ff"],[0.5555555555555556,"#3d9df3"],[0.6666666666666666,"#1c83e1"],[0.7777777777777778,"#0068c9"],[0.8888888888888888,"#0054a3"],[1,"#004280"]],"colorbar":{"thickness":16,"xpad":24,"ticklabelposition":"outside","outlinecolor":"transparent","outlinewidth":8,"len":0.75,"y":0.5745,"title":{"font":{"color":"#808495","size":14}},"tickfont":{"color":"#808495","size":12}}},"colorscale":{"diverging":[[0,"#7d353b"],[0.1111111111111111,"#bd4043"],[0.2222222222222222,"#ff4b4b"],[0.3333333333333333,"#ff8c8c"],[0.4444444444444444,"#ffc7c7"],[0.5555555555555556,"#a6dcff"],[0.6666666666666666,"#60b4ff"],[0.7777777777777778,"#1c83e1"],[0.8888888888888888,"#0054a3"],[1,"#004280"]],"sequential":[[0,"#e4f5ff"],[0.1111111111111111,"#c7ebff"],[0.2222222222222222,"#a6dcff"],[0.3333333333333333,"#83c9ff"],[0.4444444444444444,"#60b4ff"],[0.5555555555555556,"#3d9df3"],[0.6666666666666666,"#1c83e1"],[0.7777777777777778,"#0068c9"],[0.8888888888888888,"#0054a3"],[1,"#004280"]],"sequentialminus":[[0,"#e4f5ff"],[0.1111111111111111,"#c7ebff"],[0.2222222222222222,"#a6dcff"],[0.3333333333333333,"#83c9ff"],[0.4444444444444444,"#60b4ff"],[0.5555555555555556,"#3d9df3"],[0.6666666666666666,"#1c83e1"],[0.7777777777777778,"#0068c9"],[0.8888888888888888,"#0054a3"],[1,"#004280"]]},"font":{"color":"#808495","family":"\"Source Sans\", sans-serif","size":12,"weight":400},"title":{"color":"#1a1a1a","subtitleColor":"#1a1a1a","font":{"family":"\"Source Sans\", sans-serif","size":16,"color":"#1a1a1a"},"pad":{"l":4},"xanchor":"left","x":0},"legend":{"title":{"font":{"size":12,"color":"#808495"},"side":"top"},"valign":"top","bordercolor":"transparent","borderwidth":0,"font":{"size":12,"color":"#262730"}},"paper_bgcolor":"#FFFFFF","plot_bgcolor":"#FFFFFF","yaxis":{"ticklabelposition":"outside","zerolinecolor":"#e6eaf1","title":{"font":{"color":"#808495","size":14},"standoff":24},"tickcolor":"#e6eaf1","tickfont":{"color":"#808495","size":12},"gridcolor":"#e6eaf1","minor":{"gridcolor":"#e6eaf1"},"automargin":true},"xaxis":{"zerolinecolor":"#e6eaf1","gridcolor":"#e6eaf1","showgrid":false,"tickfont":{"color":"#808495","size":12},"tickcolor":"#e6eaf1","title":{"font":{"color":"#808495","size":14},"standoff":20},"minor":{"gridcolor":"#e6eaf1"},"zeroline":false,"automargin":true,"rangeselector":{"bgcolor":"#FFFFFF","bordercolor":"#e6eaf1","borderwidth":1,"x":0}},"margin":{"pad":8,"r":0,"l":0},"hoverlabel":{"bgcolor":"#FFFFFF","bordercolor":"rgba(26, 26, 26, 0.2)","font":{"color":"#808495","family":"\"Source Sans\", sans-serif","size":12}},"ternary":{"gridcolor":"#808495","bgcolor":"#FFFFFF","title":{"font":{"family":"\"Source Sans\", sans-serif","size":14}},"color":"#808495","aaxis":{"gridcolor":"#808495","linecolor":"#808495","tickfont":{"family":"\"Source Sans\", sans-serif","size":12}},"baxis":{"linecolor":"#808495","gridcolor":"#808495","tickfont":{"family":"\"Source Sans\", sans-serif","size":12}},"caxis":{"linecolor":"#808495","gridcolor":"#808495","tickfont":{"family":"\"Source Sans\", sans-serif","size":12}}}},"data":{"candlestick":[{"decreasing":{"line":{"color":"#ff2b2b"}},"increasing":{"line":{"color":"#29b09d"}},"type":"candlestick"}],"contourcarpet":[{"colorscale":[[0,"#e4f5ff"],[0.1111111111111111,"#c7ebff"],[0.2222222222222222,"#a6dcff"],[0.3333333333333333,"#83c9ff"],[0.4444444444444444,"#60b4ff"],[0.5555555555555556,"#3d9df3"],[0.6666666666666666,"#1c83e1"],[0.7777777777777778,"#0068c9"],[0.8888888888888888,"#0054a3"],[1,"#004280"]],"type":"contourcarpet"}],"contour":[{"colorscale":[[0,"#e4f5ff"],[0.1111111111111111,"#c7ebff"],[0.2222222222222222,"#a6dcff"],[0.3333333333333333,"#83c9ff"],[0.4444444444444444,"#60b4ff"],[0.5555555555555556,"#3d9df3"],[0.6666666666666666,"#1c83e1"],[0.7777777777777778,"#0068c9"],[0.8888888888888888,"#0054a3"],[1,"#004280"]],"type":"contour"}],"heatmap":[{"colorscale":[[0,"#e4f5ff"],[0.1111111111111111,"#c7ebff"],[0.2222222222222222,"#a6dcff"],[0.3333333333333333,"#83c9ff"],[0.4444444444444444,"#60b4ff"],[0.5555555555555556,"#3d9df3"],[0.6666666666666666,"#1c83e1"],[0.7777777777777778,"#0068c9"],[0.8888888888888888,"#0054a3"],[1,"#004280"]],"type":"heatmap"}],"histogram2d":[{"colorscale":[[0,"#e4f5ff"],[0.1111111111111111,"#c7ebff"],[0.2222222222222222,"#a6dcff"],[0.3333333333333333,"#83c9ff"],[0.4444444444444444,"#60b4ff"],[0.5555555555555556,"#3d9df3"],[0.6666666666666666,"#1c83e1"],[0.7777777777777778,"#0068c9"],[0.8888888888888888,"#0054a3"],[1,"#004280"]],"type":"histogram2d"}],"icicle":[{"textfont":{"color":"white"},"type":"icicle"}],"sankey":[{"textfont":{"color":"#808495"},"type":"sankey"}],"scatter":[{"marker":{"line":{"width":0}},"type":"scatter"}],"table":[{"cells":{"fill":{"color":"#FFFFFF"},"font":{"color":"#262730"},"line":{"color":"rgba(26, 26, 26, 0.1)"}},"header":{"fill":{"color":"rgba(252, 252, 251, 1)"},"font":{"color":"#808495"},"line":{"color":"rgba(26, 26, 26, 0.1)"}},"type":"table"}],"waterfall":[{"connector":{"line":{"color":"#808495","width":2}},"decreasing":{"marker":{"color":"#ff2b2b"}},"increasing":{"marker":{"color":"#29b09d"}},"totals":{"marker":{"color":"#0068c9"}},"type":"waterfall"}]}};

let plotly = null;

/** plotly.js, loaded once for the page (a <script>: the bundle is a UMD file that sets window.Plotly). */
function loadPlotly() {
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = PLOTLY;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        plotly = null; // the next chart tries again
        reject(new Error("plotly.js did not load"));
      };
      document.head.appendChild(script);
    });
  }
  return plotly;
}
loadPlotly();

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A copy of `base` with `over` merged in, `over` winning. */
function merged(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObject(v) && isObject(base[k]) ? merged(base[k], v) : v;
  }
  return out;
}

/** The figure's layout as st.plotly_chart draws it: the theme over the figure's template, a bold title. */
function themed(layout) {
  const template = layout.template || {};
  const out = {
    ...layout,
    autosize: true,
    template: {
      data: { ...(template.data || {}), ...LOOK.data },
      layout: merged(template.layout || {}, LOOK.layout),
    },
  };
  const title = layout.title;
  if (isObject(title) && title.text && !String(title.text).startsWith("<b>")) {
    out.title = { ...title, text: `<b>${title.text}</b>` };
  }
  return out;
}

// A full-screen button in the chart's toolbar (Streamlit's own toolbar, which has one, is not drawn for a
// component): for a chart projected in class.
const FULL_SCREEN = {
  name: "Full screen",
  icon: { width: 24, height: 24, path: "M3 3h7v2H5v5H3zm11 0h7v7h-2V5h-5zM3 14h2v5h5v2H3zm16 0h2v7h-7v-2h5z" },
  click: (gd) => {
    const root = gd.closest(".nnviz-chart");
    if (document.fullscreenElement) document.exitFullscreen();
    else root.requestFullscreen();
  },
};

/** What a click reports: the points, shaped like st.plotly_chart's selection event. */
function selection(event) {
  const points = (event.points || []).map((p) => ({
    x: p.x,
    y: p.y,
    customdata: p.customdata,
    curve_number: p.curveNumber,
    point_number: p.pointNumber,
    point_index: p.pointIndex,
  }));
  return { points, point_indices: points.map((p) => p.point_index) };
}

function decode(data) {
  return JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
}

export async function draw({ data, parentElement, setStateValue }) {
  const chart = decode(data);
  let root = parentElement.querySelector(".nnviz-chart");
  if (!root) {
    root = document.createElement("div");
    root.className = "nnviz-chart";
    root.setAttribute("role", "figure");
    root.style.background = "#FFFFFF"; // in full screen too
    parentElement.appendChild(root);
  }
  root.setAttribute("aria-label", chart.alt);
  let gd = root.querySelector(".nnviz-plot");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "nnviz-plot";
    root.appendChild(gd);
  }
  const Plotly = await loadPlotly();
  const layout = themed(chart.spec.layout || {});
  const config = { ...chart.config, responsive: true, modeBarButtonsToAdd: [FULL_SCREEN] };
  const height = layout.height;
  if (document.fullscreenElement === root) layout.height = window.innerHeight;
  await Plotly.react(gd, chart.spec.data || [], layout, config);
  if (!gd.__nnviz) {
    // Redrawn when its column's width changes (the sidebar opened or closed, full screen), not when the observer
    // first reports the width it was drawn at: that would draw every chart twice.
    let width = root.clientWidth;
    gd.__nnviz = {
      resized: new ResizeObserver(() => {
        if (gd.isConnected && root.clientWidth !== width) {
          width = root.clientWidth;
          Plotly.Plots.resize(gd);
        }
      }),
    };
    gd.__nnviz.resized.observe(root);
    root.addEventListener("fullscreenchange", () => {
      const full = document.fullscreenElement === root;
      Plotly.relayout(gd, { height: full ? window.innerHeight : gd.__nnviz.height ?? null });
    });
  }
  gd.__nnviz.height = height;
  gd.__nnviz.report = chart.selectable ? setStateValue : null; // kept across reruns, as a selection is
  if (chart.selectable && !gd.__nnviz.listening) {
    gd.__nnviz.listening = true;
    gd.on("plotly_click", (event) => gd.__nnviz.report?.("select", selection(event)));
  }
  // Streamlit calls this before the chart's next update and when it leaves the page: only then is the plot gone
  // from the document, and plotly's listeners and the observer are released with it.
  return () => setTimeout(() => {
    if (!gd.isConnected) {
      gd.__nnviz.resized.disconnect();
      Plotly.purge(gd);
    }
  }, 0);
}
