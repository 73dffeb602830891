/*
 * meta-sandbox fbevents.js stand-in. NOT Meta's script: it implements fbq's public API and the behaviour
 * observed in Meta's fbevents.js 2.9.x that decides which hits go out with which parameters (cookies; one
 * PageView per pixel and page load unless fbq.allowDuplicatePageViews; eid-less automatic PageViews on
 * history changes unless fbq.disablePushState was true when the script started; the base-code queue
 * replayed in order; the same fbq object afterwards), and sends every event as a /tr hit to the meta-sandbox.
 * Plain ES2017, no dependencies.
 */
(function (window, document) {
  'use strict';

  // The sandbox replaces the next token with a JSON string (from ?tr_url=) or null.
  var INJECTED_TR_URL = __SANDBOX_TR_URL__;
  var VERSION = '2.9.15-sandbox';
  var COOKIE_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1e3;
  var MAX_GET_URL_LENGTH = 2048;
  var HASHED_KEYS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'];

  var existing = window.fbq;
  if (existing && existing.__sandbox) return;

  var script = document.currentScript || findScript();
  var trUrl = resolveTrUrl();

  function findScript() {
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/fbevents\.js/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  }

  function resolveTrUrl() {
    if (INJECTED_TR_URL) return INJECTED_TR_URL;
    var src = script && script.src;
    if (src) {
      try {
        var u = new URL(src, window.location.href);
        var param = u.searchParams.get('tr_url');
        if (param) return param;
        return u.origin + '/tr/';
      } catch (e) { /* fall through */ }
    }
    return '/tr/';
  }

  function warn(msg) {
    if (window.console && window.console.warn) window.console.warn('[fbq sandbox] ' + msg);
  }

  // ---------------------------------------------------------------- SHA-256
  function sha256HexSync(text) {
    var bytes = new TextEncoder().encode(text);
    var K = [];
    var H = [];
    var primes = 0;
    var isComposite = {};
    for (var candidate = 2; primes < 64; candidate++) {
      if (!isComposite[candidate]) {
        for (var j = 0; j < 313; j += candidate) isComposite[j] = candidate;
        if (primes < 8) H[primes] = (Math.pow(candidate, 0.5) * 4294967296) | 0;
        K[primes++] = (Math.pow(candidate, 1 / 3) * 4294967296) | 0;
      }
    }
    var len = bytes.length;
    var padded = new Uint8Array((((len + 9) + 63) >> 6) << 6);
    padded.set(bytes);
    padded[len] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 4, (len * 8) >>> 0);
    view.setUint32(padded.length - 8, Math.floor((len * 8) / 4294967296));
    var w = new Array(64);
    function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var off = 0; off < padded.length; off += 64) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) w[t] = view.getUint32(off + t * 4);
        else {
          var a15 = w[t - 15];
          var a2 = w[t - 2];
          var s0 = rotr(a15, 7) ^ rotr(a15, 18) ^ (a15 >>> 3);
          var s1 = rotr(a2, 17) ^ rotr(a2, 19) ^ (a2 >>> 10);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
        }
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 64; t++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + w[t]) | 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    var hex = '';
    for (var i = 0; i < 8; i++) hex += ('00000000' + (H[i] >>> 0).toString(16)).slice(-8);
    return hex;
  }

  /** SubtleCrypto where the page is a secure context, the JS implementation elsewhere (http pages). */
  function sha256Hex(text) {
    var subtle = window.crypto && window.crypto.subtle;
    if (subtle && window.isSecureContext) {
      return subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (buf) {
        var out = '';
        var arr = new Uint8Array(buf);
        for (var i = 0; i < arr.length; i++) out += ('0' + arr[i].toString(16)).slice(-2);
        return out;
      });
    }
    return Promise.resolve(sha256HexSync(text));
  }

  // ------------------------------------------------------ advanced matching
  function normalize(key, value) {
    var v = String(value).trim().toLowerCase();
    if (/^[a-f0-9]{64}$/.test(v)) return v;
    switch (key) {
      case 'ph': v = v.replace(/[^0-9]/g, '').replace(/^0+/, ''); break;
      case 'ge': v = v.charAt(0) === 'f' || v.charAt(0) === 'm' ? v.charAt(0) : ''; break;
      case 'db': v = v.replace(/[^0-9]/g, ''); break;
      case 'ct': v = v.replace(/[^a-z\u00c0-\uffff]/g, ''); break;
      case 'st': v = v.replace(/[^a-z\u00c0-\uffff]/g, ''); break;
      case 'zp': v = v.replace(/\s/g, '').split('-')[0]; break;
      case 'fn': case 'ln': v = v.replace(/[\s.,'"!?()-]/g, ''); break;
      case 'external_id': v = v.replace(/\s+/g, ''); break;
      default: break;
    }
    return v;
  }

  /** Resolves to { key: sha256 } for the advanced-matching object. */
  function hashUserData(am) {
    var keys = [];
    var jobs = [];
    if (am && typeof am === 'object') {
      for (var i = 0; i < HASHED_KEYS.length; i++) {
        var key = HASHED_KEYS[i];
        if (am[key] === undefined || am[key] === null || am[key] === '') continue;
        var normalized = normalize(key, am[key]);
        if (normalized === '') continue;
        keys.push(key);
        jobs.push(/^[a-f0-9]{64}$/.test(normalized) ? Promise.resolve(normalized) : sha256Hex(normalized));
      }
    }
    return Promise.all(jobs).then(function (hashes) {
      var out = {};
      for (var k = 0; k < keys.length; k++) out[keys[k]] = hashes[k];
      return out;
    });
  }

  // ---------------------------------------------------------------- cookies
  function getCookie(name) {
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].replace(/^\s+/, '');
      if (p.indexOf(name + '=') === 0) return decodeURIComponent(p.slice(name.length + 1));
    }
    return null;
  }

  function writeCookie(name, value, domain, maxAgeMs) {
    var expires = new Date(Date.now() + maxAgeMs).toUTCString();
    document.cookie = name + '=' + value + ';expires=' + expires + ';path=/' +
      (domain ? ';domain=.' + domain : '') + ';SameSite=Lax' + (window.location.protocol === 'https:' ? ';Secure' : '');
  }

  var cookieDomainCache;
  /**
   * The highest domain that accepts a cookie, tried from the TLD downward ('com' fails,
   * 'example.com' works). IP and single-label hosts (localhost) get a host-only cookie.
   */
  function cookieDomain() {
    if (cookieDomainCache !== undefined) return cookieDomainCache;
    var host = window.location.hostname;
    cookieDomainCache = null;
    if (!host || host.indexOf('.') < 0 || /^[0-9.]+$/.test(host) || host.indexOf(':') >= 0) return null;
    var labels = host.split('.');
    var testName = '_fbp_sandbox_probe';
    for (var i = labels.length - 1; i >= 0; i--) {
      var candidate = labels.slice(i).join('.');
      document.cookie = testName + '=1;path=/;domain=.' + candidate;
      if (getCookie(testName) === '1') {
        document.cookie = testName + '=;path=/;domain=.' + candidate + ';expires=Thu, 01 Jan 1970 00:00:00 GMT';
        cookieDomainCache = candidate;
        return candidate;
      }
    }
    return null;
  }

  /** Meta's subdomainIndex: the number of dots in the domain the cookie lives on ('com' 0, 'example.com' 1). */
  function subdomainIndex() {
    var domain = cookieDomain() || window.location.hostname || '';
    return Math.min(9, domain.split('.').length - 1);
  }

  function queryParam(url, name) {
    if (!url) return null;
    try {
      return new URL(url, window.location.href).searchParams.get(name);
    } catch (e) {
      return null;
    }
  }

  /** Reuses _fbp (refreshing its expiry) or creates it; creates/replaces _fbc when an fbclid is present. */
  function ensureCookies() {
    var domain = cookieDomain();
    var fbp = getCookie('_fbp');
    if (!fbp) fbp = 'fb.' + subdomainIndex() + '.' + Date.now() + '.' + Math.round(2147483647 * Math.random());
    writeCookie('_fbp', fbp, domain, COOKIE_MAX_AGE_MS);

    var fbc = getCookie('_fbc');
    var fbclid = queryParam(window.location.href, 'fbclid') || queryParam(document.referrer, 'fbclid');
    if (fbclid) {
      var current = fbc ? fbc.split('.')[3] : null;
      if (current !== fbclid) {
        fbc = 'fb.' + subdomainIndex() + '.' + Date.now() + '.' + fbclid;
        writeCookie('_fbc', fbc, domain, COOKIE_MAX_AGE_MS);
      }
    }
    return { fbp: getCookie('_fbp') || fbp, fbc: getCookie('_fbc') || fbc };
  }

  // ------------------------------------------------------------------ state
  var state = {
    pixels: {},
    order: [],
    consent: true,
    agent: null,
    eventCount: 0,
    initTime: Date.now(),
    chain: Promise.resolve(),
    beacons: [],
    // Pixel ids that sent a PageView since this document loaded (Meta keeps the same set).
    pageViewSent: {}
  };

  function encodeValue(v) {
    if (v !== null && typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  function send(params, method) {
    var pairs = [];
    for (var i = 0; i < params.length; i++) {
      pairs.push(encodeURIComponent(params[i][0]) + '=' + encodeURIComponent(params[i][1]));
    }
    var sep = trUrl.indexOf('?') >= 0 ? '&' : '?';
    var getUrl = trUrl + sep + pairs.join('&') + '&rqm=GET';
    if (method !== 'POST' && getUrl.length <= MAX_GET_URL_LENGTH) {
      var img = new Image();
      state.beacons.push(img);
      var done = function () { state.beacons.splice(state.beacons.indexOf(img), 1); };
      img.onload = done;
      img.onerror = done;
      img.src = getUrl;
      return;
    }
    var body = pairs.join('&') + '&rqm=POST';
    if (window.fetch) {
      window.fetch(trUrl, {
        method: 'POST', mode: 'no-cors', keepalive: body.length < 60000, credentials: 'include',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body
      }).catch(function () { /* a lost hit is lost, as with the real pixel */ });
    }
  }

  function fire(pixel, eventName, customData, options, allowDuplicatePageView) {
    if (!state.consent) return;
    if (typeof eventName !== 'string' || eventName === '') {
      warn('event name must be a non-empty string');
      return;
    }
    if (eventName === 'PageView') {
      // Like Meta's script: a second PageView of a pixel on the same page load is silently not sent, whatever
      // its eventID and whatever the URL now is, unless the call's `this` allows duplicates.
      if (state.pageViewSent[pixel.id] && !allowDuplicatePageView) return;
      state.pageViewSent[pixel.id] = true;
    }
    var cookies = ensureCookies();
    var params = [
      ['id', pixel.id], ['ev', eventName], ['dl', window.location.href], ['rl', document.referrer],
      ['if', String(window.top !== window)], ['ts', String(Date.now())]
    ];
    if (customData && typeof customData === 'object') {
      for (var key in customData) {
        if (!Object.prototype.hasOwnProperty.call(customData, key)) continue;
        var v = customData[key];
        if (v === undefined || typeof v === 'function') continue;
        params.push(['cd[' + key + ']', encodeValue(v)]);
      }
    }
    params.push(['sw', String(window.screen ? window.screen.width : 0)]);
    params.push(['sh', String(window.screen ? window.screen.height : 0)]);
    params.push(['v', VERSION], ['r', 'stable']);
    var agent = pixel.agent || state.agent;
    if (agent) params.push(['a', agent]);
    params.push(['ec', String(state.eventCount++)], ['o', '30']);
    if (cookies.fbp) params.push(['fbp', cookies.fbp]);
    if (cookies.fbc) params.push(['fbc', cookies.fbc]);
    params.push(['it', String(state.initTime)], ['coo', 'false']);
    if (options && options.eventID !== undefined && options.eventID !== null && options.eventID !== '') {
      params.push(['eid', String(options.eventID)]);
    }
    var userData = pixel.userData;
    // One chain for all hits keeps them in call order although hashing is asynchronous.
    state.chain = state.chain.then(function () { return userData; }).then(function (ud) {
      var all = params.slice();
      for (var k in ud) all.push(['ud[' + k + ']', ud[k]]);
      send(all);
    }).catch(function (e) { warn('hit not sent: ' + e); });
  }

  function track(targets, eventName, customData, options, allowDuplicatePageView) {
    for (var i = 0; i < targets.length; i++) fire(targets[i], eventName, customData, options, allowDuplicatePageView);
  }

  /** `self` is the call's `this`: the fbq object for ordinary calls. */
  function handle(args, self) {
    var allowDuplicatePageView = !!self && self.allowDuplicatePageViews === true;
    var cmd = args[0];
    switch (cmd) {
      case 'init': {
        var id = args[1] === undefined || args[1] === null ? '' : String(args[1]);
        if (!/^\d+$/.test(id)) { warn('init needs a numeric pixel id'); return; }
        if (state.pixels[id]) { warn('pixel ' + id + ' already initialised'); return; }
        state.pixels[id] = { id: id, userData: hashUserData(args[2]), agent: null };
        state.order.push(id);
        return;
      }
      case 'track':
      case 'trackCustom':
        track(allPixels(), args[1], args[2], args[3], allowDuplicatePageView);
        return;
      case 'trackSingle':
      case 'trackSingleCustom': {
        var pixel = state.pixels[String(args[1])];
        if (!pixel) { warn(cmd + ': pixel ' + args[1] + ' is not initialised'); return; }
        track([pixel], args[2], args[3], args[4], allowDuplicatePageView);
        return;
      }
      case 'consent':
        if (args[1] === 'revoke') state.consent = false;
        else if (args[1] === 'grant') state.consent = true;
        else warn('consent takes grant or revoke');
        return;
      case 'set': {
        var target = args[3] !== undefined ? state.pixels[String(args[3])] : null;
        if (args[1] === 'agent') {
          if (target) target.agent = String(args[2]);
          else state.agent = String(args[2]);
        } else if (args[1] === 'userData' && target) {
          target.userData = hashUserData(args[2]);
        }
        return;
      }
      default:
        warn('unsupported command ' + String(cmd));
    }
  }

  function allPixels() {
    return state.order.map(function (p) { return state.pixels[p]; });
  }

  /**
   * Meta's automatic SPA page views: history.pushState/replaceState are wrapped and popstate is listened to;
   * each change of location.href sends a PageView (trackCustom, allowed to repeat) WITHOUT an eid.
   */
  function watchHistory() {
    var lastHref = window.location.href;
    function changed() {
      var href = window.location.href;
      if (href === lastHref) return;
      lastHref = href;
      track(allPixels(), 'PageView', {}, undefined, true);
    }
    ['pushState', 'replaceState'].forEach(function (name) {
      var original = window.history[name];
      if (typeof original !== 'function') return;
      window.history[name] = function () {
        var result = original.apply(this, arguments);
        changed();
        return result;
      };
    });
    window.addEventListener('popstate', changed);
  }

  var fbq = existing;
  if (!fbq) {
    fbq = function () {
      if (fbq.callMethod) fbq.callMethod.apply(fbq, arguments);
      else fbq.queue.push(arguments);
    };
    fbq.queue = [];
    fbq.push = fbq;
    fbq.loaded = true;
    fbq.version = '2.0';
    window.fbq = fbq;
  }
  if (!window._fbq) window._fbq = fbq;
  if (window._fbq !== window.fbq) warn('CONFLICTING_VERSIONS: window.fbq and window._fbq are different objects');
  fbq.__sandbox = { version: VERSION, trUrl: trUrl };
  // Read once, when the script starts (setting it later changes nothing, as with Meta's script).
  if (fbq.disablePushState !== true) watchHistory();
  fbq.callMethod = function () {
    try {
      handle(Array.prototype.slice.call(arguments), this);
    } catch (e) {
      warn('call failed: ' + e);
    }
  };
  var queued = fbq.queue || [];
  fbq.queue = [];
  // The base-code queue, replayed in order, each call with fbq as `this`.
  for (var q = 0; q < queued.length; q++) fbq.callMethod.apply(fbq, queued[q]);
})(window, document);
