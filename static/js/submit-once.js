/* A form that writes is sent once: after the first click its submit buttons are disabled until the page changes.
   Only a courtesy — the form's one-time key (submission_key) is what keeps a second submission from writing twice.
   The buttons are disabled just after the submission starts, so the clicked button's own name and value are sent. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.querySelector || !form.querySelector("input[name=submission_key]")) { return; }
    if (form.getAttribute("data-submitted") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-submitted", "1");
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
      for (var i = 0; i < buttons.length; i += 1) { buttons[i].disabled = true; }
    }, 0);
  });
  /* Back to a page kept in the browser's cache: its buttons work again. */
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    var forms = document.querySelectorAll("form[data-submitted]");
    for (var i = 0; i < forms.length; i += 1) {
      forms[i].removeAttribute("data-submitted");
      var buttons = forms[i].querySelectorAll("button, input[type=submit]");
      for (var j = 0; j < buttons.length; j += 1) { buttons[j].disabled = false; }
    }
  });
}());
