// briefgen preview: reload the page when the brief is rebuilt, keeping its scroll
// position; show build errors in an overlay (as text) and say when the PDF is ready.
(() => {
  const script = document.currentScript;
  const generation = script.dataset.generation;
  const pdf = script.dataset.pdf;
  const isIndex = script.dataset.page === "index";
  const scrollKey = "briefgen-preview-scroll:" + location.pathname;

  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = saved.split(",").map(Number);
    const restore = () => window.scrollTo(x, y);
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore);
  }

  const style = (element, css) => {
    element.style.cssText = css;
    return element;
  };

  function box(id, css) {
    let element = document.getElementById(id);
    if (!element) {
      element = style(document.createElement("div"), css);
      element.id = id;
      document.body.append(element);
    }
    return element;
  }

  function showErrors(lines) {
    const overlay = box(
      "briefgen-errors",
      "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.92);" +
        "color:#fff;padding:2rem;overflow:auto;font:14px/1.5 ui-monospace,monospace",
    );
    overlay.replaceChildren();
    const heading = document.createElement("h2");
    heading.textContent = "The build failed; the page shows the last good build.";
    const text = document.createElement("pre");
    text.style.whiteSpace = "pre-wrap";
    text.textContent = lines.join("\n");
    overlay.append(heading, text);
  }

  function clearErrors() {
    document.getElementById("briefgen-errors")?.remove();
  }

  function pdfNotice(state, lines) {
    const notice = box(
      "briefgen-pdf",
      "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;background:#ffd;" +
        "color:#000;border:1px solid #aa8;padding:.5rem 1rem;font:14px/1.4 system-ui,sans-serif",
    );
    notice.replaceChildren();
    if (state === "ready") {
      const link = document.createElement("a");
      link.href = pdf;
      link.textContent = "open it";
      notice.append("PDF ready: ", link);
    } else {
      notice.append("PDF failed: " + lines.join("; "));
    }
  }

  function reload() {
    sessionStorage.setItem(scrollKey, window.scrollX + "," + window.scrollY);
    location.reload();
  }

  const page = decodeURIComponent(location.pathname.slice(1));
  const query = "?since=" + encodeURIComponent(generation) + "&page=" + encodeURIComponent(page);
  const events = new EventSource("/__briefgen/events" + query);
  events.addEventListener("reload", (event) => {
    const { pages } = JSON.parse(event.data);
    if (isIndex || pages === null || pages.includes(page)) reload();
  });
  events.addEventListener("clear", clearErrors);
  events.addEventListener("error", (event) => {
    if (typeof event.data === "string") showErrors(JSON.parse(event.data).lines);
  });
  events.addEventListener("pdf", (event) => {
    const { state, lines } = JSON.parse(event.data);
    if (isIndex) reload();
    else pdfNotice(state, lines);
  });
})();
