// Reorder pages. After a call's outcome is saved (the server swapped in the entry's new
// "last call" line), the outcome form is cleared and folded away; when the server answered
// only errors (HX-Reswap: none) the form keeps what was typed.
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail.elt;
  if (!form.matches || !form.matches("form.outcome-form") || !event.detail.successful) return;
  if (event.detail.xhr.getResponseHeader("HX-Reswap") === "none") return;
  form.reset();
  var details = form.closest("details");
  if (details) details.open = false;
});
