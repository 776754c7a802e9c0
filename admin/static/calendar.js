// The owner's trainer filter shows the chosen trainer's week as soon as it changes.
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
