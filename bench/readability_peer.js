#!/usr/bin/env node
// The peer for `make extract-eval`: Mozilla's Readability.js on jsdom, called
// like newswatch (`readability_peer.js extract PAGE --url URL`) so that both
// pay one process start per page and are timed alike.  The modules come from
// bench/peer/node_modules, which extract_eval.py installs.
"use strict";
const fs = require("fs");
const path = require("path");
const mods = path.join(__dirname, "peer", "node_modules");
const { JSDOM, VirtualConsole } = require(path.join(mods, "jsdom"));
const { Readability } = require(path.join(mods, "@mozilla", "readability"));

const args = process.argv.slice(2);
const page = args[1];
const url = args[args.indexOf("--url") + 1];
// A Buffer lets jsdom sniff the charset from the BOM and <meta charset>.
const dom = new JSDOM(fs.readFileSync(page), { url, virtualConsole: new VirtualConsole() });
const r = new Readability(dom.window.document).parse() || {};
process.stdout.write(JSON.stringify({
	title: r.title || null,
	authors: r.byline ? [r.byline] : [],
	description: r.excerpt || null,
	published: r.publishedTime || null,
	site_name: r.siteName || null,
	language: r.lang || null,
	// The article as HTML: extract_eval.py reads it as text the way the
	// scorer reads the gold expected.html.
	html: r.content || null,
}));
