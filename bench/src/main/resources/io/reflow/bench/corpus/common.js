// Shared by the corpus sites: a seeded random source and posthog-js pointed at the capture under test.
(function () {
  var params = new URLSearchParams(location.search);
  var seed = Number(params.get('seed') || 1);
  window.rand = function () {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  window.pick = function (list) { return list[Math.floor(rand() * list.length)]; };
  window.words = ['aurora', 'basil', 'cobalt', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo', 'juniper',
    'kelp', 'lumen', 'meadow', 'nimbus', 'onyx', 'pepper', 'quartz', 'russet', 'sable', 'tundra', 'umber', 'velvet',
    'willow', 'xenon', 'yarrow', 'zephyr', 'classic', 'premium', 'organic', 'compact', 'wireless', 'vintage'];
  window.phrase = function (n) {
    var out = [];
    for (var i = 0; i < n; i++) out.push(pick(words));
    return out.join(' ');
  };
  posthog.init('phc_corpus', {
    api_host: window.CAPTURE_URL,
    opt_out_useragent_filter: true, // headless Chromium counts as a bot otherwise and nothing is sent
    person_profiles: 'identified_only',
    disable_session_recording: false,
    session_recording: { maskAllInputs: false },
    enable_recording_console_log: true,
    autocapture: true,
    capture_pageview: true,
    persistence: 'localStorage'
  });
})();
