/*
 * main.c - the newswatch command: its options, and which command runs
 * (cmd.h has them by family).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <libxml/parser.h>

#include "cmd.h"
#include "http.h"
#include "log.h"

#define DEFAULT_CONFIG "/etc/newswatch/feeds.yaml"
#define TAIL_DEFAULT_LINES 10

static const char usage_text[] =
"usage: newswatch [run] [-c FILE]       the daemon, in the foreground\n"
"       newswatch once [-c FILE]        poll every feed once, write the spool, exit\n"
"       newswatch check [-c FILE]       validate the config\n"
"       newswatch status [-c FILE] [--json]\n"
"                                       one row per feed from the state\n"
"       newswatch tail [-f] [--json] [-n N] [-c FILE]\n"
"                                       the newest N items of the spool (10)\n"
"       newswatch import-opml FILE|URL [-c FILE]\n"
"                                       add an OPML list's new feeds to the config\n"
"       newswatch export-opml [-c FILE] print the feeds as OPML 2.0\n"
"       newswatch why URL|ENTRY-ID|SPOOL-NAME|FEED [-c FILE] [--json]\n"
"                                       why an item was (not) delivered\n"
"       newswatch parse FILE|URL... [--url BASE] [--content-type TYPE]\n"
"                                       parse feeds, print JSON\n"
"       newswatch extract FILE|URL [--url BASE] [--html]\n"
"                                       parse an article page, print JSON\n"
"       newswatch --version | --help\n"
"\n"
"options:\n"
"  -c, --config FILE  feeds.yaml to use (default $NEWSWATCH_CONFIG, else\n"
"                     " DEFAULT_CONFIG ")\n"
"  -u, --url BASE     the URL a FILE was fetched from (parse, extract)\n"
"  -t, --content-type TYPE\n"
"                     the HTTP Content-Type a FILE came with (parse, extract)\n"
"  -j, --json         status, tail, why: JSON instead of text\n"
"  -f, --follow       tail: go on printing items as they land\n"
"  -n, --lines N      tail: how many of the newest items to print\n"
"      --html         also print the body as cleaned HTML (extract)\n"
"  -v, --verbose      log debug messages\n"
"  -h, --help         this help\n"
"  -V, --version      print the version\n"
"\n"
"See newswatch(8) and newswatch.yaml(5).\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

const char *
config_path(const struct options *opt)
{
	const char *env = getenv("NEWSWATCH_CONFIG");

	if (opt->config)
		return opt->config;
	return env && *env ? env : DEFAULT_CONFIG;
}

struct config *
load_config_or_exit(const struct options *opt)
{
	struct config *cfg;
	char err[1024];

	if (config_load(config_path(opt), &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		exit(EX_CONFIG);
	}
	return cfg;
}

static const struct command {
	const char *name;
	int (*run)(const struct options *);
} commands[] = {
	{ "run", cmd_run },
	{ "once", cmd_once },
	{ "check", cmd_check },
	{ "status", cmd_status },
	{ "parse", cmd_parse },
	{ "extract", cmd_extract },
	{ "tail", cmd_tail },
	{ "import-opml", cmd_import_opml },
	{ "export-opml", cmd_export_opml },
	{ "why", cmd_why },
	{ NULL, NULL },
};

static int
parse_args(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "url", required_argument, NULL, 'u' },
		{ "content-type", required_argument, NULL, 't' },
		{ "html", no_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	opt->command = &commands[0];
	opt->lines = TAIL_DEFAULT_LINES;
	if (argc > 1 && argv[1][0] != '-') {
		for (int i = 0; commands[i].name; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				opt->command = &commands[i];
		if (strcmp(opt->command->name, argv[1]) != 0) {
			fprintf(stderr, "newswatch: unknown command '%s'\n", argv[1]);
			usage(stderr);
			return EX_USAGE;
		}
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "c:u:t:vjfn:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt->config = optarg; break;
		case 'j': opt->json = 1; break;
		case 'f': opt->follow = 1; break;
		case 'n':
			errno = 0;
			opt->lines = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || opt->lines < 0) {
				fprintf(stderr, "newswatch: -n: expected a count, "
				    "got '%s'\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'u': opt->url = optarg; break;
		case 't': opt->content_type = optarg; break;
		case 'H': opt->html = 1; break;
		case 'v': opt->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("newswatch %s\n", NEWSWATCH_VERSION); exit(0);
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (opt->command->run == cmd_parse || opt->command->run == cmd_extract ||
	    opt->command->run == cmd_import_opml || opt->command->run == cmd_why) {
		opt->inputs = argv + optind;
		opt->ninputs = argc - optind;
		if (opt->ninputs == 0 || (opt->ninputs > 1 &&
		    opt->command->run != cmd_parse)) {
			fprintf(stderr, "newswatch %s: expected %s FILE or URL\n",
			    opt->command->name, opt->ninputs == 0 ? "a" : "one");
			return EX_USAGE;
		}
	} else if (optind != argc) {
		fprintf(stderr, "newswatch %s: unexpected argument '%s'\n",
		    opt->command->name, argv[optind]);
		return EX_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt = { 0 };
	int rc;

	if ((rc = parse_args(argc, argv, &opt)) != 0)
		return rc;
	log_init(opt.verbose ? LOG_DEBUG : LOG_INFO);
	xmlInitParser();

	rc = opt.command->run(&opt);

	xmlCleanupParser();
	http_global_cleanup();
	return rc;
}

