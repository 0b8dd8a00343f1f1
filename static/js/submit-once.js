/* A form that writes is sent once: after the first click its submit buttons are disabled until the page changes.
   Only a courtesy — the form's one-time key (submission_key) is what keeps a second submission from writing twice.
   The buttons are disabled just after the submission starts, so the clicked button's own name and value are sent. */
(function () {
  "use strict";
  /* The keys this page's forms were sent with, kept in the browser's history entry of the page: back to it (the
     browser's back button, typed values put back), a form keeps the key it was sent with, so 保存 pressed again on
     the same values is answered "已保存，未重复登记" rather than saved twice; changed values are a new submission. */
  function sentKeys() {
    var state = window.history.state;
    return (state && typeof state === "object" && state.submissionKeys) || {};
  }
  function remember(form, key) {
    var state = window.history.state, copy = {}, name;
    if (state && typeof state === "object") { for (name in state) { if (Object.prototype.hasOwnProperty.call(state, name)) { copy[name] = state[name]; } } }
    copy.submissionKeys = sentKeys();
    copy.submissionKeys[form.action] = key;
    try { window.history.replaceState(copy, ""); } catch (e) { /* no history API: the key stays the page's own */ }
  }
  function putBack() {
    var keys = sentKeys(), inputs = document.querySelectorAll("form input[name=submission_key]");
    for (var i = 0; i < inputs.length; i += 1) {
      var sent = keys[inputs[i].form.action];
      if (sent) { inputs[i].value = sent; }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", putBack); } else { putBack(); }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var key = form && form.querySelector && form.querySelector("input[name=submission_key]");
    if (!key) { return; }
    if (form.getAttribute("data-submitted") === "1") { event.preventDefault(); return; }
    remember(form, key.value);
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
