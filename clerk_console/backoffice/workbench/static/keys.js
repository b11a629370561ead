// Keyboard helpers of the workbench (no framework): arrow keys move between the queue's rows,
// "/" jumps to the search box, Ctrl+Enter submits the form a textarea is in.
document.addEventListener("keydown", function (e) {
  var t = e.target;
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.tagName === "TEXTAREA" && t.form) {
    e.preventDefault();
    t.form.requestSubmit();
    return;
  }
  var typing = t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT";
  if (e.key === "/" && !typing) {
    var q = document.getElementById("q");
    if (q) { e.preventDefault(); q.focus(); q.select(); }
    return;
  }
  if ((e.key === "ArrowDown" || e.key === "ArrowUp") && !typing) {
    var links = Array.prototype.slice.call(document.querySelectorAll("a.row-link"));
    if (!links.length) return;
    var i = links.indexOf(document.activeElement);
    i = e.key === "ArrowDown" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
    e.preventDefault();
    links[i].focus();
  }
});
