/*
 * kafka-mock: hosts a librdkafka mock cluster (a Kafka-protocol broker kept in
 * memory) so tests and local dev need neither Docker nor a JVM.
 *
 *   kafka-mock [--brokers N] [--topic name:partitions]... [--ready-file PATH]
 *              [--exit-on-eof]
 *
 * Prints "BOOTSTRAP host:port,..." once the topics exist, then answers
 * commands read from stdin, one per line, with "OK" or "ERR <why>":
 *   down <brokerId> | up <brokerId> | errors <apiKey> <errorCode> <count>
 *   clear [apiKey] | quit
 * EOF on stdin is ignored (so it can run detached with stdin from /dev/null)
 * unless --exit-on-eof is given, which lets a parent's death (its end of the
 * pipe closes) stop an attached mock. SIGTERM/SIGINT destroy the cluster and
 * exit 0.
 *
 * Memory: the mock keeps at most 5 MB or 100000 message sets per partition and
 * drops the oldest beyond that (librdkafka's fixed limits), so memory stays
 * bounded however much is produced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_TOPICS 64
#define MAX_ERRORS 100000
/* Highest Kafka API key cleared by a bare "clear" (2.0.2 knows fewer). */
#define MAX_API_KEY 100

struct topic {
        char *name;
        int partitions;
};

static rd_kafka_mock_cluster_t *mcluster;

static void die(const char *msg) {
        fprintf(stderr, "kafka-mock: %s\n", msg);
        exit(2);
}

static int parse_int(const char *s, long min, long max, long *out) {
        char *end;
        long v;
        errno = 0;
        v     = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        fflush(stdout);
}

static void reply_err(rd_kafka_resp_err_t err) {
        if (err)
                reply("ERR %s", rd_kafka_err2str(err));
        else
                reply("OK");
}

/* Handles one command line; returns 1 when asked to quit. */
static int handle_command(char *line) {
        char *argv[5];
        int argc = 0;
        char *save, *tok;
        long a, b, c;

        for (tok = strtok_r(line, " \t\r", &save); tok && argc < 5;
             tok = strtok_r(NULL, " \t\r", &save))
                argv[argc++] = tok;
        if (argc == 0)
                return 0; /* blank line: nothing to answer */

        if (!strcmp(argv[0], "quit")) {
                reply("OK");
                return 1;
        } else if (!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) {
                if (argc != 2 || parse_int(argv[1], -1, INT32_MAX, &a))
                        reply("ERR usage: %s <brokerId>", argv[0]);
                else if (argv[0][0] == 'd')
                        reply_err(rd_kafka_mock_broker_set_down(mcluster, (int32_t)a));
                else
                        reply_err(rd_kafka_mock_broker_set_up(mcluster, (int32_t)a));
        } else if (!strcmp(argv[0], "errors")) {
                rd_kafka_resp_err_t *errs;
                long i;
                if (argc != 4 || parse_int(argv[1], 0, INT16_MAX, &a) ||
                    parse_int(argv[2], INT_MIN, INT_MAX, &b) ||
                    parse_int(argv[3], 1, MAX_ERRORS, &c)) {
                        reply("ERR usage: errors <apiKey> <errorCode> <count 1..%d>",
                              MAX_ERRORS);
                        return 0;
                }
                if (!(errs = malloc(sizeof(*errs) * (size_t)c))) {
                        reply("ERR out of memory");
                        return 0;
                }
                for (i = 0; i < c; i++)
                        errs[i] = (rd_kafka_resp_err_t)b;
                rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)a,
                                                        (size_t)c, errs);
                free(errs);
                reply("OK");
        } else if (!strcmp(argv[0], "clear")) {
                if (argc == 2) {
                        if (parse_int(argv[1], 0, INT16_MAX, &a)) {
                                reply("ERR usage: clear [apiKey]");
                                return 0;
                        }
                        rd_kafka_mock_clear_request_errors(mcluster, (int16_t)a);
                } else {
                        for (a = 0; a <= MAX_API_KEY; a++)
                                rd_kafka_mock_clear_request_errors(mcluster,
                                                                   (int16_t)a);
                }
                reply("OK");
        } else {
                reply("ERR unknown command '%s' (down|up|errors|clear|quit)",
                      argv[0]);
        }
        return 0;
}

/* Writes the bootstrap list to path atomically so readers never see half a file. */
static void write_ready_file(const char *path, const char *bootstrap) {
        char tmp[PATH_MAX];
        FILE *f;
        if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
            (int)sizeof(tmp))
                die("--ready-file path too long");
        if (!(f = fopen(tmp, "w")))
                die("cannot write --ready-file");
        fprintf(f, "%s\n", bootstrap);
        if (fclose(f) != 0 || rename(tmp, path) != 0) {
                unlink(tmp);
                die("cannot write --ready-file");
        }
}

int main(int argc, char **argv) {
        struct topic topics[MAX_TOPICS];
        int topic_cnt = 0, exit_on_eof = 0, i, sfd, quit = 0;
        long brokers          = 1;
        const char *ready_file = NULL;
        char errstr[512], line[1024];
        size_t line_len = 0;
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        sigset_t mask;
        struct pollfd fds[2];

        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
                        if (parse_int(argv[++i], 1, 64, &brokers))
                                die("--brokers must be 1..64");
                } else if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
                        char *spec = argv[++i], *colon = strrchr(spec, ':');
                        long parts;
                        if (topic_cnt == MAX_TOPICS)
                                die("too many --topic");
                        if (!colon || colon == spec ||
                            parse_int(colon + 1, 1, 10000, &parts))
                                die("--topic expects name:partitions");
                        /* Copy rather than cut argv, so ps still shows the real command line. */
                        topics[topic_cnt].name = strndup(spec, (size_t)(colon - spec));
                        if (!topics[topic_cnt].name)
                                die("out of memory");
                        topics[topic_cnt++].partitions = (int)parts;
                } else if (!strcmp(argv[i], "--ready-file") && i + 1 < argc) {
                        ready_file = argv[++i];
                } else if (!strcmp(argv[i], "--exit-on-eof")) {
                        exit_on_eof = 1;
                } else {
                        fprintf(stderr,
                                "usage: %s [--brokers N] [--topic name:partitions]... "
                                "[--ready-file PATH] [--exit-on-eof]\n",
                                argv[0]);
                        return 2;
                }
        }

        /* Block the signals before librdkafka starts threads so they inherit the
         * mask and the signals are only ever seen through the signalfd below. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0 ||
            (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) == -1)
                die("cannot set up signal handling");

        /* The handle only does the cluster's book keeping; it never connects. */
        conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK)
                die(errstr);
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr))))
                die(errstr);
        if (!(mcluster = rd_kafka_mock_cluster_new(rk, (int)brokers)))
                die("cannot create the mock cluster");

        for (i = 0; i < topic_cnt; i++) {
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
                    mcluster, topics[i].name, topics[i].partitions,
                    brokers < 3 ? (int)brokers : 3);
                if (err) {
                        fprintf(stderr, "kafka-mock: topic %s: %s\n",
                                topics[i].name, rd_kafka_err2str(err));
                        return 2;
                }
        }

        if (ready_file)
                write_ready_file(ready_file, rd_kafka_mock_cluster_bootstraps(mcluster));
        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        fds[0].fd     = STDIN_FILENO;
        fds[0].events = POLLIN;
        fds[1].fd     = sfd;
        fds[1].events = POLLIN;

        while (!quit) {
                if (poll(fds, 2, -1) == -1) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (fds[1].revents)
                        break; /* SIGTERM or SIGINT */
                if (fds[0].revents) {
                        ssize_t n = read(STDIN_FILENO, line + line_len,
                                         sizeof(line) - 1 - line_len);
                        char *nl;
                        if (n <= 0) {
                                if (n == -1 && errno == EINTR)
                                        continue;
                                if (exit_on_eof)
                                        break;
                                fds[0].fd = -1; /* EOF: keep serving until signalled */
                                continue;
                        }
                        line_len += (size_t)n;
                        line[line_len] = '\0';
                        while (!quit && (nl = strchr(line, '\n'))) {
                                *nl  = '\0';
                                quit = handle_command(line);
                                line_len -= (size_t)(nl + 1 - line);
                                memmove(line, nl + 1, line_len + 1);
                        }
                        if (line_len == sizeof(line) - 1) {
                                reply("ERR line too long");
                                line_len = 0;
                        }
                }
        }

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
