// The export job page: poll the job's URL for its progress; when it is done, fetch the file.
// The address bar shows the job's URL, not the export link that queued it: reloading the page
// or coming back to it later follows this job instead of starting another export.
(function () {
  var box = document.querySelector("[data-test=export-job]");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", url);
  }
  var bar = box.querySelector("progress");
  var count = box.querySelector("[data-test=export-count]");
  function poll() {
    fetch(url + "?status", {headers: {"Accept": "application/json"}, credentials: "same-origin"}).then(function (response) {
      return response.json().then(function (job) {
        box.setAttribute("data-status", job.status);
        bar.max = job.total || 1;
        bar.value = job.status === "done" ? bar.max : job.progress;
        // the status in the reader's language, as the page was written (never the code)
        count.textContent = job.total ? job.progress + " / " + job.total : (count.getAttribute("data-" + job.status) || "");
        if (job.status === "queued" || job.status === "running") {
          setTimeout(poll, 1000);
        } else {
          window.location.href = url;  // the file (done), or the page saying why it failed
        }
      });
    });
  }
  setTimeout(poll, 1000);
})();
