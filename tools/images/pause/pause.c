/*
 * The sandbox of a capsule: the process that holds the network, IPC and PID
 * namespaces its containers join. It sleeps until SIGTERM or SIGINT (then exits 0)
 * and, as PID 1 of the shared PID namespace, reaps every orphan handed to it.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void leave(int sig) {
    (void)sig;
    _exit(0);
}

static void reap(int sig) {
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(void) {
    struct sigaction quit = {0};
    quit.sa_handler = leave;
    sigaction(SIGTERM, &quit, NULL);
    sigaction(SIGINT, &quit, NULL);
    struct sigaction child = {0};
    child.sa_handler = reap;
    child.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    sigaction(SIGCHLD, &child, NULL);
    for (;;) pause();
    return 0;
}
