/* A static probe the isolation tests run inside containers (and one
 * command on the host): each check prints `name=result`, where result is
 * `ok` or the errno's name. Built by tests/it/isolation.rs with gcc -static. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static const char *res(long r) {
    static char buf[32];
    if (r >= 0) return "ok";
    switch (errno) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    case ENOKEY: return "ENOKEY";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    default: snprintf(buf, sizeof buf, "errno%d", errno); return buf;
    }
}

/* Runs f in a fresh child so that a call that works changes nothing here. */
static void check(const char *name, long (*f)(void)) {
    int p[2];
    if (pipe(p) < 0) return;
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        long r = f();
        const char *s = res(r);
        if (write(p[1], s, strlen(s)) < 0) _exit(2);
        _exit(0);
    }
    close(p[1]);
    char out[64] = {0};
    ssize_t n = read(p[0], out, sizeof out - 1);
    if (n < 0) n = 0;
    out[n] = 0;
    close(p[0]);
    waitpid(c, NULL, 0);
    printf("%s=%s\n", name, out);
}

static long c_unshare_user(void) { return unshare(CLONE_NEWUSER); }
static long c_unshare_ns(void) { return unshare(CLONE_NEWNS); }
static long c_keyctl(void) { return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0); }
static long c_add_key(void) { return syscall(SYS_add_key, "user", "k", "v", 1, -3); }
static long c_mount(void) { mkdir("/mnt", 0755); return mount("x", "/mnt", "tmpfs", 0, NULL); }
static long c_syscall999(void) { return syscall(999); }
static long c_fchmodat2(void) { return syscall(452, AT_FDCWD, "/", 0755, 0); }
static long c_clone3(void) { return syscall(SYS_clone3, NULL, 0); }
static long c_clone_newns(void) {
    long r = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
    if (r == 0) _exit(0);
    if (r > 0) waitpid(r, NULL, 0);
    return r < 0 ? r : 0;
}
static long c_personality_rie(void) { return personality(READ_IMPLIES_EXEC); }
static long c_personality_query(void) { return personality(0xffffffff); }
static long c_vsock(void) { return socket(AF_VSOCK, SOCK_STREAM, 0); }
static long c_inet(void) { return socket(AF_INET, SOCK_DGRAM, 0); }
static long c_setns(void) { return setns(-1, 0); }
static long c_pivot_root(void) { return syscall(SYS_pivot_root, "/", "/"); }

static int syscalls(void) {
    check("unshare_user", c_unshare_user);
    check("unshare_ns", c_unshare_ns);
    check("keyctl", c_keyctl);
    check("add_key", c_add_key);
    check("mount", c_mount);
    check("syscall999", c_syscall999);
    check("fchmodat2", c_fchmodat2);
    check("clone3", c_clone3);
    check("clone_newns", c_clone_newns);
    check("personality_rie", c_personality_rie);
    check("personality_query", c_personality_query);
    check("vsock", c_vsock);
    check("inet", c_inet);
    check("setns", c_setns);
    check("pivot_root", c_pivot_root);
    return 0;
}

/* On the host: a session keyring of our own holding a key, then argv. */
static int hostkey(char **argv) {
    if (syscall(SYS_keyctl, 1 /* JOIN_SESSION_KEYRING */, NULL) < 0) { perror("join"); return 1; }
    if (syscall(SYS_add_key, "user", "strata-test-key", "secret", 6, -3) < 0) { perror("add_key"); return 1; }
    execvp(argv[0], argv);
    perror("exec");
    return 127;
}

/* In the container: can the caller's key be found? */
static int findkey(void) {
    long r = syscall(SYS_keyctl, 10 /* SEARCH */, -3, "user", "strata-test-key", 0);
    printf("search=%s\n", res(r));
    return 0;
}

/* In the container: watch /proc/<pid>/exe for `seconds`; report any that
 * is the file with this dev and inode, and try to chmod it. */
static int watch(unsigned long dev, unsigned long ino, int seconds) {
    time_t end = time(NULL) + seconds;
    int hits = 0, opened = 0;
    while (time(NULL) < end) {
        for (int pid = 2; pid < 4096; pid++) {
            char p[64];
            snprintf(p, sizeof p, "/proc/%d/exe", pid);
            int fd = open(p, O_PATH);
            if (fd < 0) continue;
            opened++;
            struct stat st;
            if (fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino) {
                hits++;
                char fdp[64];
                snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", fd);
                if (chmod(fdp, 04777) == 0) printf("chmod=ok\n");
            }
            close(fd);
        }
    }
    printf("hits=%d opened=%d\n", hits, opened);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "syscalls")) return syscalls();
    if (!strcmp(argv[1], "hostkey") && argc > 2) return hostkey(argv + 2);
    if (!strcmp(argv[1], "findkey")) return findkey();
    if (!strcmp(argv[1], "watch") && argc == 5)
        return watch(strtoul(argv[2], 0, 10), strtoul(argv[3], 0, 10), atoi(argv[4]));
    return 2;
}
