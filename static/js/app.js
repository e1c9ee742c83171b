/* Behaviour that used to sit in inline event handlers, which the Content-Security-Policy
   (script-src 'self') does not run:
   data-submit-on-change on a form control submits its form when the value changes
   (the language choice; a <noscript> button does it without JavaScript);
   data-select-on-focus on a field selects its text when it gets the focus (a feed address to copy). */
document.addEventListener("change", function (event) {
  var control = event.target.closest("[data-submit-on-change]");
  if (control && control.form) control.form.submit();
});
document.addEventListener("focusin", function (event) {
  var field = event.target.closest("[data-select-on-focus]");
  if (field && field.select) field.select();
});
