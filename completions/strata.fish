# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_strata_global_optspecs
    string join \n root= runroot= h/help V/version
end

function __fish_strata_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_strata_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_strata_using_subcommand
    set -l cmd (__fish_strata_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c strata -n "__fish_strata_needs_command" -l root -d 'Store directory (images, layers, containers)' -r -F
complete -c strata -n "__fish_strata_needs_command" -l runroot -d 'Directory for run-time state (locks)' -r -F
complete -c strata -n "__fish_strata_needs_command" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_needs_command" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_needs_command" -f -a "run" -d 'Run a command in a new container'
complete -c strata -n "__fish_strata_needs_command" -f -a "create" -d 'Create a new container'
complete -c strata -n "__fish_strata_needs_command" -f -a "start" -d 'Start one or more stopped containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "stop" -d 'Stop one or more running containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "kill" -d 'Kill one or more running containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c strata -n "__fish_strata_needs_command" -f -a "logs" -d 'Fetch the logs of a container'
complete -c strata -n "__fish_strata_needs_command" -f -a "exec" -d 'Execute a command in a running container'
complete -c strata -n "__fish_strata_needs_command" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c strata -n "__fish_strata_needs_command" -f -a "restart" -d 'Restart one or more containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "top" -d 'Display the running processes of a container'
complete -c strata -n "__fish_strata_needs_command" -f -a "update" -d 'Update configuration of one or more containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c strata -n "__fish_strata_needs_command" -f -a "ps" -d 'List containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "container" -d 'Manage containers'
complete -c strata -n "__fish_strata_needs_command" -f -a "images" -d 'List images'
complete -c strata -n "__fish_strata_needs_command" -f -a "image" -d 'Manage images'
complete -c strata -n "__fish_strata_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c strata -n "__fish_strata_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c strata -n "__fish_strata_needs_command" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c strata -n "__fish_strata_needs_command" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c strata -n "__fish_strata_needs_command" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c strata -n "__fish_strata_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c strata -n "__fish_strata_needs_command" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c strata -n "__fish_strata_needs_command" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c strata -n "__fish_strata_needs_command" -f -a "pull" -d 'Download an image from a registry'
complete -c strata -n "__fish_strata_needs_command" -f -a "push" -d 'Upload an image to a registry'
complete -c strata -n "__fish_strata_needs_command" -f -a "login" -d 'Log in to a registry'
complete -c strata -n "__fish_strata_needs_command" -f -a "logout" -d 'Log out from a registry'
complete -c strata -n "__fish_strata_needs_command" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c strata -n "__fish_strata_needs_command" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c strata -n "__fish_strata_needs_command" -f -a "inspect" -d 'Return low-level information on containers and images'
complete -c strata -n "__fish_strata_needs_command" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c strata -n "__fish_strata_needs_command" -f -a "version" -d 'Show the strata version information'
complete -c strata -n "__fish_strata_needs_command" -f -a "info" -d 'Display system-wide information'
complete -c strata -n "__fish_strata_needs_command" -f -a "rename" -d 'Rename a container'
complete -c strata -n "__fish_strata_needs_command" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c strata -n "__fish_strata_needs_command" -f -a "events" -d 'Get real time events from the server'
complete -c strata -n "__fish_strata_needs_command" -f -a "volume" -d 'Manage volumes'
complete -c strata -n "__fish_strata_needs_command" -f -a "network" -d 'Manage networks'
complete -c strata -n "__fish_strata_needs_command" -f -a "system" -d 'Manage strata'
complete -c strata -n "__fish_strata_needs_command" -f -a "serve" -d 'Serve the Docker Engine API (for the docker CLI, compose and the SDKs)'
complete -c strata -n "__fish_strata_needs_command" -f -a "runtime" -d 'Act as an OCI runtime, with runc\'s command line (also as `strata-runc`)'
complete -c strata -n "__fish_strata_needs_command" -f -a "__network-teardown" -d 'Remove the default bridge and its NAT table (no container may use it)'
complete -c strata -n "__fish_strata_needs_command" -f -a "__rm-tree" -d 'Delete a removed container\'s directory (an --rm run\'s, after its exit)'
complete -c strata -n "__fish_strata_needs_command" -f -a "__monitor" -d 'Run and watch a detached container (started by run -d and start)'
complete -c strata -n "__fish_strata_needs_command" -f -a "__gen-docs" -d 'Write the man pages and shell completions (for packagers)'
complete -c strata -n "__fish_strata_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand run" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l detach-keys -d 'Override the key sequence for detaching a container (with -it)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l restart -d 'Restart policy (no, always, unless-stopped, on-failure[:N]), applied by the container\'s monitor (-d or start)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s e -l env -d 'Set environment variables' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c strata -n "__fish_strata_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s v -l volume -d 'Bind mount a volume' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l network -d 'Connect a container to a network (bridge, none, host, or a network\'s name)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l network-alias -d 'Add network-scoped alias for the container' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST:]CONTAINER[/PROTO])' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l dns -d 'Set custom DNS servers' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l cap-add -d 'Add Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l security-opt -d 'Security options (seccomp=unconfined|PROFILE.json, no-new-privileges)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l device -d 'Add a host device to the container (HOST[:CONTAINER[:rwm]])' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s l -l label -d 'Set meta data on a container' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c strata -n "__fish_strata_using_subcommand run" -l stop-signal -d 'Signal to stop the container' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c strata -n "__fish_strata_using_subcommand run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l expose -d 'Expose a port or a range of ports' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l health-cmd -d 'Command to run to check health' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l health-interval -d 'Time between running the check (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l memory-reservation -d 'Memory soft limit' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l cpus -d 'Number of CPUs' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l shm-size -d 'Size of /dev/shm' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l sysctl -d 'Sysctl options (KEY=VALUE)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c strata -n "__fish_strata_using_subcommand run" -s i -l interactive -d 'Keep STDIN open'
complete -c strata -n "__fish_strata_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c strata -n "__fish_strata_using_subcommand run" -l rm -d 'Automatically remove the container when it exits'
complete -c strata -n "__fish_strata_using_subcommand run" -s d -l detach -d 'Run container in background and print container ID'
complete -c strata -n "__fish_strata_using_subcommand run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c strata -n "__fish_strata_using_subcommand run" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c strata -n "__fish_strata_using_subcommand run" -l privileged -d 'Give extended privileges to this container'
complete -c strata -n "__fish_strata_using_subcommand run" -s q -l quiet -d 'Suppress the pull output'
complete -c strata -n "__fish_strata_using_subcommand run" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c strata -n "__fish_strata_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c strata -n "__fish_strata_using_subcommand run" -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand run" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand create" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l detach-keys -d 'Override the key sequence for detaching a container (with -it)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l restart -d 'Restart policy (no, always, unless-stopped, on-failure[:N]), applied by the container\'s monitor (-d or start)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s e -l env -d 'Set environment variables' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c strata -n "__fish_strata_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s v -l volume -d 'Bind mount a volume' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l network -d 'Connect a container to a network (bridge, none, host, or a network\'s name)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l network-alias -d 'Add network-scoped alias for the container' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST:]CONTAINER[/PROTO])' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l dns -d 'Set custom DNS servers' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l cap-add -d 'Add Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l security-opt -d 'Security options (seccomp=unconfined|PROFILE.json, no-new-privileges)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l device -d 'Add a host device to the container (HOST[:CONTAINER[:rwm]])' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s l -l label -d 'Set meta data on a container' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c strata -n "__fish_strata_using_subcommand create" -l stop-signal -d 'Signal to stop the container' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c strata -n "__fish_strata_using_subcommand create" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l expose -d 'Expose a port or a range of ports' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l health-cmd -d 'Command to run to check health' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l health-interval -d 'Time between running the check (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l memory-reservation -d 'Memory soft limit' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l cpus -d 'Number of CPUs' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l shm-size -d 'Size of /dev/shm' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l sysctl -d 'Sysctl options (KEY=VALUE)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c strata -n "__fish_strata_using_subcommand create" -s i -l interactive -d 'Keep STDIN open'
complete -c strata -n "__fish_strata_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c strata -n "__fish_strata_using_subcommand create" -l rm -d 'Automatically remove the container when it exits'
complete -c strata -n "__fish_strata_using_subcommand create" -s d -l detach -d 'Run container in background and print container ID'
complete -c strata -n "__fish_strata_using_subcommand create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c strata -n "__fish_strata_using_subcommand create" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c strata -n "__fish_strata_using_subcommand create" -l privileged -d 'Give extended privileges to this container'
complete -c strata -n "__fish_strata_using_subcommand create" -s q -l quiet -d 'Suppress the pull output'
complete -c strata -n "__fish_strata_using_subcommand create" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c strata -n "__fish_strata_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c strata -n "__fish_strata_using_subcommand create" -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand create" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c strata -n "__fish_strata_using_subcommand start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c strata -n "__fish_strata_using_subcommand start" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand start" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand stop" -s t -l timeout -l time -d 'Seconds to wait before killing the container (default: its --stop-timeout, else 10)' -r
complete -c strata -n "__fish_strata_using_subcommand stop" -s s -l signal -d 'Signal to send to the container (default: its stop signal)' -r
complete -c strata -n "__fish_strata_using_subcommand stop" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand stop" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c strata -n "__fish_strata_using_subcommand kill" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand kill" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand wait" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand wait" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all" for all)' -r
complete -c strata -n "__fish_strata_using_subcommand logs" -l since -d 'Show logs since a timestamp (2026-11-24T10:00:00Z) or a duration (42s, 10m, 1h)' -r
complete -c strata -n "__fish_strata_using_subcommand logs" -l until -d 'Show logs before a timestamp (2026-11-24T10:00:00Z) or a duration (42s, 10m, 1h)' -r
complete -c strata -n "__fish_strata_using_subcommand logs" -s f -l follow -d 'Follow log output'
complete -c strata -n "__fish_strata_using_subcommand logs" -s t -l timestamps -d 'Show timestamps'
complete -c strata -n "__fish_strata_using_subcommand logs" -l details -d 'Show extra details provided to logs'
complete -c strata -n "__fish_strata_using_subcommand logs" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand logs" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand exec" -s e -l env -d 'Set environment variables' -r
complete -c strata -n "__fish_strata_using_subcommand exec" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c strata -n "__fish_strata_using_subcommand exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c strata -n "__fish_strata_using_subcommand exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c strata -n "__fish_strata_using_subcommand exec" -s d -l detach -d 'Detached mode: run command in the background'
complete -c strata -n "__fish_strata_using_subcommand exec" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c strata -n "__fish_strata_using_subcommand exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c strata -n "__fish_strata_using_subcommand exec" -l privileged -d 'Give extended privileges to the command'
complete -c strata -n "__fish_strata_using_subcommand exec" -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand exec" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c strata -n "__fish_strata_using_subcommand attach" -l sig-proxy -d 'Proxy all received signals to the process' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand attach" -l no-stdin -d 'Do not attach STDIN'
complete -c strata -n "__fish_strata_using_subcommand attach" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand attach" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand restart" -s t -l timeout -l time -d 'Seconds to wait before killing the container (default: its --stop-timeout, else 10)' -r
complete -c strata -n "__fish_strata_using_subcommand restart" -s s -l signal -d 'Signal to send to the container (default: its stop signal)' -r
complete -c strata -n "__fish_strata_using_subcommand restart" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand restart" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand pause" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand pause" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand unpause" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand unpause" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand top" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand top" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand update" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l memory-reservation -d 'Memory soft limit' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l cpus -d 'Number of CPUs' -r
complete -c strata -n "__fish_strata_using_subcommand update" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c strata -n "__fish_strata_using_subcommand update" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c strata -n "__fish_strata_using_subcommand update" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand update" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand stats" -l format -d 'Format output using a custom template (\'table\', \'json\', or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand stats" -s a -l all -d 'Show all containers (default shows just running)'
complete -c strata -n "__fish_strata_using_subcommand stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c strata -n "__fish_strata_using_subcommand stats" -l no-trunc -d 'Do not truncate output'
complete -c strata -n "__fish_strata_using_subcommand stats" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand stats" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c strata -n "__fish_strata_using_subcommand ps" -l format -d 'Format output using a Go template ("table ..." for a table)' -r
complete -c strata -n "__fish_strata_using_subcommand ps" -s f -l filter -d 'Filter output based on conditions provided (status=, name=, id=, ancestor=, exited=)' -r
complete -c strata -n "__fish_strata_using_subcommand ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c strata -n "__fish_strata_using_subcommand ps" -s q -l quiet -d 'Only display container IDs'
complete -c strata -n "__fish_strata_using_subcommand ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c strata -n "__fish_strata_using_subcommand ps" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand ps" -s s -l size -d 'Display total file sizes'
complete -c strata -n "__fish_strata_using_subcommand ps" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand ps" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c strata -n "__fish_strata_using_subcommand rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c strata -n "__fish_strata_using_subcommand rm" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand rm" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "ls" -d 'List containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "list" -d 'List containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "ps" -d 'List containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "run" -d 'Create and run a new container from an image'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "create" -d 'Create a new container'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "start" -d 'Start one or more stopped containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "stop" -d 'Stop one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "restart" -d 'Restart one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "kill" -d 'Kill one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "exec" -d 'Execute a command in a running container'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "attach" -d 'Attach to a running container'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "top" -d 'Display the running processes of a container'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "update" -d 'Update configuration of one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "rm" -d 'Remove one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "remove" -d 'Remove one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "prune" -d 'Remove all stopped containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "rename" -d 'Rename a container'
complete -c strata -n "__fish_strata_using_subcommand container; and not __fish_seen_subcommand_from ls list ps run create start stop restart kill wait logs exec attach pause unpause top update stats rm remove prune inspect port commit diff export cp rename help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a Go template ("table ..." for a table)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided (status=, name=, id=, ancestor=, exited=)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all containers (default shows just running)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display container IDs'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s s -l size -d 'Display total file sizes'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -l format -d 'Format output using a Go template ("table ..." for a table)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided (status=, name=, id=, ancestor=, exited=)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all containers (default shows just running)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display container IDs'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s s -l size -d 'Display total file sizes'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Format output using a Go template ("table ..." for a table)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output based on conditions provided (status=, name=, id=, ancestor=, exited=)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Only display container IDs'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s s -l size -d 'Display total file sizes'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from ps" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l detach-keys -d 'Override the key sequence for detaching a container (with -it)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l restart -d 'Restart policy (no, always, unless-stopped, on-failure[:N]), applied by the container\'s monitor (-d or start)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Container host name' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Bind mount a volume' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l network -d 'Connect a container to a network (bridge, none, host, or a network\'s name)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l network-alias -d 'Add network-scoped alias for the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST:]CONTAINER[/PROTO])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l dns -d 'Set custom DNS servers' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-add -d 'Add Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l security-opt -d 'Security options (seccomp=unconfined|PROFILE.json, no-new-privileges)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l device -d 'Add a host device to the container (HOST[:CONTAINER[:rwm]])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s l -l label -d 'Set meta data on a container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-signal -d 'Signal to stop the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l expose -d 'Expose a port or a range of ports' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l health-cmd -d 'Command to run to check health' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l health-interval -d 'Time between running the check (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-reservation -d 'Memory soft limit' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l cpus -d 'Number of CPUs' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l shm-size -d 'Size of /dev/shm' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l sysctl -d 'Sysctl options (KEY=VALUE)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s i -l interactive -d 'Keep STDIN open'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l rm -d 'Automatically remove the container when it exits'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s d -l detach -d 'Run container in background and print container ID'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l privileged -d 'Give extended privileges to this container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Suppress the pull output'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l detach-keys -d 'Override the key sequence for detaching a container (with -it)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l restart -d 'Restart policy (no, always, unless-stopped, on-failure[:N]), applied by the container\'s monitor (-d or start)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l name -d 'Assign a name to the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s e -l env -d 'Set environment variables' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s h -l hostname -d 'Container host name' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s v -l volume -d 'Bind mount a volume' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l network -d 'Connect a container to a network (bridge, none, host, or a network\'s name)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l network-alias -d 'Add network-scoped alias for the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST:]CONTAINER[/PROTO])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l dns -d 'Set custom DNS servers' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-add -d 'Add Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l security-opt -d 'Security options (seccomp=unconfined|PROFILE.json, no-new-privileges)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l device -d 'Add a host device to the container (HOST[:CONTAINER[:rwm]])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s l -l label -d 'Set meta data on a container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-signal -d 'Signal to stop the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l expose -d 'Expose a port or a range of ports' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l health-cmd -d 'Command to run to check health' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l health-interval -d 'Time between running the check (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-reservation -d 'Memory soft limit' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l cpus -d 'Number of CPUs' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l shm-size -d 'Size of /dev/shm' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l sysctl -d 'Sysctl options (KEY=VALUE)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s i -l interactive -d 'Keep STDIN open'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l rm -d 'Automatically remove the container when it exits'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s d -l detach -d 'Run container in background and print container ID'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l privileged -d 'Give extended privileges to this container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Suppress the pull output'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stop" -s t -l timeout -l time -d 'Seconds to wait before killing the container (default: its --stop-timeout, else 10)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stop" -s s -l signal -d 'Signal to send to the container (default: its stop signal)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from restart" -s t -l timeout -l time -d 'Seconds to wait before killing the container (default: its --stop-timeout, else 10)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from restart" -s s -l signal -d 'Signal to send to the container (default: its stop signal)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from wait" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all" for all)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -l since -d 'Show logs since a timestamp (2026-11-24T10:00:00Z) or a duration (42s, 10m, 1h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -l until -d 'Show logs before a timestamp (2026-11-24T10:00:00Z) or a duration (42s, 10m, 1h)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Show timestamps'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -l details -d 'Show extra details provided to logs'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -s e -l env -d 'Set environment variables' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -s d -l detach -d 'Detached mode: run command in the background'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -l privileged -d 'Give extended privileges to the command'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from exec" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from attach" -l sig-proxy -d 'Proxy all received signals to the process' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from attach" -l no-stdin -d 'Do not attach STDIN'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from unpause" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from unpause" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from top" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from top" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-reservation -d 'Memory soft limit' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l cpus -d 'Number of CPUs' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stats" -l format -d 'Format output using a custom template (\'table\', \'json\', or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stats" -s a -l all -d 'Show all containers (default shows just running)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-trunc -d 'Do not truncate output'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from remove" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (until=TIME, label=KEY[=VALUE], label!=...)' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from inspect" -l type -d 'Only look for objects of this type' -r -f -a "container\t''
image\t''"
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from inspect" -s s -l size -d 'Display total file sizes if the type is container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from port" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from port" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from commit" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from commit" -s m -l message -d 'Commit message' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from commit" -s a -l author -d 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' -r
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from commit" -s p -l pause -d 'Pause container during commit' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from commit" -l no-pause -d 'Do not pause the container during commit'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from commit" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from commit" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from cp" -s a -l archive -d 'Archive mode (copy all uid/gid information)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from cp" -s L -l follow-link -d 'Always follow symbol link in SRC_PATH'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from cp" -s q -l quiet -d 'Suppress progress output during copy (there is none)'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from cp" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from cp" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "run" -d 'Create and run a new container from an image'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a new container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start one or more stopped containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "kill" -d 'Kill one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "exec" -d 'Execute a command in a running container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "attach" -d 'Attach to a running container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "top" -d 'Display the running processes of a container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "update" -d 'Update configuration of one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all stopped containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename a container'
complete -c strata -n "__fish_strata_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand images" -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand images" -s f -l filter -d 'Filter output (dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE)' -r
complete -c strata -n "__fish_strata_using_subcommand images" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c strata -n "__fish_strata_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c strata -n "__fish_strata_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand images" -l digests -d 'Show digests'
complete -c strata -n "__fish_strata_using_subcommand images" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand images" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "ls" -d 'List images'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "list" -d 'List images'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "rm" -d 'Remove one or more images'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "remove" -d 'Remove one or more images'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "prune" -d 'Remove unused images'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "pull" -d 'Download an image from a registry'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "push" -d 'Upload an image to a registry'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "history" -d 'Show the history of an image'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c strata -n "__fish_strata_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove tag prune pull push save load import history inspect build help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE)' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE)' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal of the image'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from rm" -l no-prune -d 'Do not delete untagged parents'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force removal of the image'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from remove" -l no-prune -d 'Do not delete untagged parents'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from tag" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (until=TIME, label=KEY[=VALUE], label!=...)' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Set platform if server is multi-platform capable (os/arch[/variant])' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from pull" -l tls-verify -d 'Require HTTPS and verify certificates (false: plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from pull" -s a -l all-tags -d 'Download all tagged images in the repository'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Suppress verbose output'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from pull" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from push" -l tls-verify -d 'Require HTTPS and verify certificates (false: plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from push" -s a -l all-tags -d 'Push all tags of the repository'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Suppress verbose output'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from push" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Write to a file, instead of STDOUT' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from save" -l format -d 'docker-archive (docker 20.10\'s layout) or oci-archive' -r -f -a "docker-archive\t''
oci-archive\t''"
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from save" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from load" -s i -l input -d 'Read from tar archive file, instead of STDIN' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Suppress the load output'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from load" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from import" -s m -l message -d 'Set commit message for imported image' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from import" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Format output using a custom template (\'table\', \'table TEMPLATE\' or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from inspect" -l type -d 'Only look for objects of this type' -r -f -a "container\t''
image\t''"
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from inspect" -s s -l size -d 'Display total file sizes if the type is container'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name and optionally a tag in the \'name:tag\' format' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s f -l file -d 'Name of the Dockerfile (default: \'PATH/Dockerfile\'; - for stdin)' -r -F
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l build-arg -d 'Set build-time variables' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l target -d 'Set the target build stage to build' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l label -d 'Set metadata for an image' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l rm -d 'Remove intermediate containers after a successful build (always done)' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l network -d 'Set the networking mode for the RUN instructions (bridge, none, host)' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l cpu-period -d 'Limit the CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l cpu-quota -d 'Limit the CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l shm-size -d 'Size of /dev/shm' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l ulimit -d 'Ulimit options' -r
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cache when building the image'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l force-rm -d 'Always remove intermediate containers, a failed step\'s too'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l pull -d 'Always attempt to pull a newer version of the image'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s i -l interactive -d 'Build interactively: each instruction typed runs at once, and the Dockerfile is written as you go (needs a terminal)'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l no-write -d 'With -i: never rewrite the Dockerfile on disk (.write still does)'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -l explain-cache -d 'Say why each step that missed the cache missed it'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from build" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List images'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more images'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused images'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Download an image from a registry'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "push" -d 'Upload an image to a registry'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "history" -d 'Show the history of an image'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c strata -n "__fish_strata_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand tag" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand tag" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand rmi" -s f -l force -d 'Force removal of the image'
complete -c strata -n "__fish_strata_using_subcommand rmi" -l no-prune -d 'Do not delete untagged parents'
complete -c strata -n "__fish_strata_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand rmi" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand build" -s t -l tag -d 'Name and optionally a tag in the \'name:tag\' format' -r
complete -c strata -n "__fish_strata_using_subcommand build" -s f -l file -d 'Name of the Dockerfile (default: \'PATH/Dockerfile\'; - for stdin)' -r -F
complete -c strata -n "__fish_strata_using_subcommand build" -l build-arg -d 'Set build-time variables' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l target -d 'Set the target build stage to build' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c strata -n "__fish_strata_using_subcommand build" -l label -d 'Set metadata for an image' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l rm -d 'Remove intermediate containers after a successful build (always done)' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand build" -l network -d 'Set the networking mode for the RUN instructions (bridge, none, host)' -r
complete -c strata -n "__fish_strata_using_subcommand build" -s m -l memory -d 'Memory limit' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c strata -n "__fish_strata_using_subcommand build" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l cpu-period -d 'Limit the CPU CFS (Completely Fair Scheduler) period' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l cpu-quota -d 'Limit the CPU CFS (Completely Fair Scheduler) quota' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l shm-size -d 'Size of /dev/shm' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l ulimit -d 'Ulimit options' -r
complete -c strata -n "__fish_strata_using_subcommand build" -l no-cache -d 'Do not use cache when building the image'
complete -c strata -n "__fish_strata_using_subcommand build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c strata -n "__fish_strata_using_subcommand build" -l force-rm -d 'Always remove intermediate containers, a failed step\'s too'
complete -c strata -n "__fish_strata_using_subcommand build" -l pull -d 'Always attempt to pull a newer version of the image'
complete -c strata -n "__fish_strata_using_subcommand build" -s i -l interactive -d 'Build interactively: each instruction typed runs at once, and the Dockerfile is written as you go (needs a terminal)'
complete -c strata -n "__fish_strata_using_subcommand build" -l no-write -d 'With -i: never rewrite the Dockerfile on disk (.write still does)'
complete -c strata -n "__fish_strata_using_subcommand build" -l explain-cache -d 'Say why each step that missed the cache missed it'
complete -c strata -n "__fish_strata_using_subcommand build" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand build" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand commit" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c strata -n "__fish_strata_using_subcommand commit" -s m -l message -d 'Commit message' -r
complete -c strata -n "__fish_strata_using_subcommand commit" -s a -l author -d 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' -r
complete -c strata -n "__fish_strata_using_subcommand commit" -s p -l pause -d 'Pause container during commit' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand commit" -l no-pause -d 'Do not pause the container during commit'
complete -c strata -n "__fish_strata_using_subcommand commit" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand commit" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand diff" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand diff" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand history" -l format -d 'Format output using a custom template (\'table\', \'table TEMPLATE\' or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand history" -l no-trunc -d 'Don\'t truncate output'
complete -c strata -n "__fish_strata_using_subcommand history" -s q -l quiet -d 'Only show image IDs'
complete -c strata -n "__fish_strata_using_subcommand history" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand history" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c strata -n "__fish_strata_using_subcommand export" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand export" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand import" -s m -l message -d 'Set commit message for imported image' -r
complete -c strata -n "__fish_strata_using_subcommand import" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c strata -n "__fish_strata_using_subcommand import" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand import" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand pull" -l platform -d 'Set platform if server is multi-platform capable (os/arch[/variant])' -r
complete -c strata -n "__fish_strata_using_subcommand pull" -l tls-verify -d 'Require HTTPS and verify certificates (false: plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand pull" -s a -l all-tags -d 'Download all tagged images in the repository'
complete -c strata -n "__fish_strata_using_subcommand pull" -s q -l quiet -d 'Suppress verbose output'
complete -c strata -n "__fish_strata_using_subcommand pull" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand pull" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand push" -l tls-verify -d 'Require HTTPS and verify certificates (false: plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand push" -s a -l all-tags -d 'Push all tags of the repository'
complete -c strata -n "__fish_strata_using_subcommand push" -s q -l quiet -d 'Suppress verbose output'
complete -c strata -n "__fish_strata_using_subcommand push" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand push" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand login" -s u -l username -d 'Username' -r
complete -c strata -n "__fish_strata_using_subcommand login" -s p -l password -d 'Password' -r
complete -c strata -n "__fish_strata_using_subcommand login" -l tls-verify -d 'Require HTTPS and verify certificates (false: plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c strata -n "__fish_strata_using_subcommand login" -l password-stdin -d 'Take the password from stdin'
complete -c strata -n "__fish_strata_using_subcommand login" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand login" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand logout" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand logout" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand save" -s o -l output -d 'Write to a file, instead of STDOUT' -r
complete -c strata -n "__fish_strata_using_subcommand save" -l format -d 'docker-archive (docker 20.10\'s layout) or oci-archive' -r -f -a "docker-archive\t''
oci-archive\t''"
complete -c strata -n "__fish_strata_using_subcommand save" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand save" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand load" -s i -l input -d 'Read from tar archive file, instead of STDIN' -r
complete -c strata -n "__fish_strata_using_subcommand load" -s q -l quiet -d 'Suppress the load output'
complete -c strata -n "__fish_strata_using_subcommand load" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand load" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand inspect" -s f -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand inspect" -l type -d 'Only look for objects of this type' -r -f -a "container\t''
image\t''"
complete -c strata -n "__fish_strata_using_subcommand inspect" -s s -l size -d 'Display total file sizes if the type is container'
complete -c strata -n "__fish_strata_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand port" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand port" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand version" -s f -l format -d 'Format the output using the given Go template' -r
complete -c strata -n "__fish_strata_using_subcommand version" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand version" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand info" -s f -l format -d 'Format the output using the given Go template' -r
complete -c strata -n "__fish_strata_using_subcommand info" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand info" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand rename" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand rename" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand cp" -s a -l archive -d 'Archive mode (copy all uid/gid information)'
complete -c strata -n "__fish_strata_using_subcommand cp" -s L -l follow-link -d 'Always follow symbol link in SRC_PATH'
complete -c strata -n "__fish_strata_using_subcommand cp" -s q -l quiet -d 'Suppress progress output during copy (there is none)'
complete -c strata -n "__fish_strata_using_subcommand cp" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand cp" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand events" -l since -d 'Show all events created since timestamp' -r
complete -c strata -n "__fish_strata_using_subcommand events" -l until -d 'Stream events until this timestamp' -r
complete -c strata -n "__fish_strata_using_subcommand events" -s f -l filter -d 'Filter output based on conditions provided (type=, container=, image=, event=, label=, volume=, network=)' -r
complete -c strata -n "__fish_strata_using_subcommand events" -l format -d 'Format output using a custom template (\'json\' or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand events" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand events" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "create" -d 'Create a volume'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "ls" -d 'List volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "list" -d 'List volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "rm" -d 'Remove one or more volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "remove" -d 'Remove one or more volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "prune" -d 'Remove unused local volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from create" -s d -l driver -d 'Specify volume driver name' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from create" -l label -d 'Set metadata for a volume' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from create" -s o -l opt -d 'Set driver specific options' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from create" -l name -d 'Specify volume name' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Provide filter values (dangling=true|false, name=, label=KEY[=VALUE], driver=)' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template (\'table\', \'json\' or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display volume names'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from list" -s f -l filter -d 'Provide filter values (dangling=true|false, name=, label=KEY[=VALUE], driver=)' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template (\'table\', \'json\' or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display volume names'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from rm" -s f -l force -d 'Do not fail when a volume does not exist'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from remove" -s f -l force -d 'Do not fail when a volume does not exist'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (label=KEY[=VALUE], label!=...)' -r
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused volumes, not just anonymous ones'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a volume'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused local volumes'
complete -c strata -n "__fish_strata_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "create" -d 'Create a network'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "ls" -d 'List networks'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "list" -d 'List networks'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "rm" -d 'Remove one or more networks'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "remove" -d 'Remove one or more networks'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "prune" -d 'Remove all unused networks'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "connect" -d 'Connect a container to a network'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c strata -n "__fish_strata_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -s d -l driver -d 'Driver to manage the Network' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -l subnet -d 'Subnet in CIDR format that represents a network segment' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -l gateway -d 'IPv4 Gateway for the master subnet' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -l ip-range -d 'Allocate container ip from a sub-range' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -l label -d 'Set metadata on a network' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -s o -l opt -d 'Set driver specific options' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -l internal -d 'Restrict external access to the network'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Provide filter values (name=, id=, driver=, label=)' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display network IDs'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate the output'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from list" -s f -l filter -d 'Provide filter values (name=, id=, driver=, label=)' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display network IDs'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from list" -l no-trunc -d 'Do not truncate the output'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from rm" -s f -l force -d 'Do not error if the network does not exist'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from remove" -s f -l force -d 'Do not error if the network does not exist'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (until=, label=)' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from connect" -l alias -d 'Add network-scoped alias for the container' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s f -l force -d 'Force the container to disconnect from a network'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a network'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List networks'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more networks'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all unused networks'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "connect" -d 'Connect a container to a network'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c strata -n "__fish_strata_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand system; and not __fish_seen_subcommand_from info df prune events help" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand system; and not __fish_seen_subcommand_from info df prune events help" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand system; and not __fish_seen_subcommand_from info df prune events help" -f -a "info" -d 'Display system-wide information'
complete -c strata -n "__fish_strata_using_subcommand system; and not __fish_seen_subcommand_from info df prune events help" -f -a "df" -d 'Show docker disk usage'
complete -c strata -n "__fish_strata_using_subcommand system; and not __fish_seen_subcommand_from info df prune events help" -f -a "prune" -d 'Remove unused data'
complete -c strata -n "__fish_strata_using_subcommand system; and not __fish_seen_subcommand_from info df prune events help" -f -a "events" -d 'Get real time events from the server'
complete -c strata -n "__fish_strata_using_subcommand system; and not __fish_seen_subcommand_from info df prune events help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from info" -s f -l format -d 'Format the output using the given Go template' -r
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from df" -l format -d 'Format output using a custom template' -r
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from df" -s v -l verbose -d 'Show detailed information on space usage'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from df" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from df" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (until=, label=)' -r
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images not just dangling ones'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from prune" -l volumes -d 'Prune anonymous volumes'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from events" -l since -d 'Show all events created since timestamp' -r
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from events" -l until -d 'Stream events until this timestamp' -r
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from events" -s f -l filter -d 'Filter output based on conditions provided (type=, container=, image=, event=, label=, volume=, network=)' -r
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from events" -l format -d 'Format output using a custom template (\'json\' or a Go template)' -r
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from events" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from events" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "info" -d 'Display system-wide information'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "df" -d 'Show docker disk usage'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused data'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "events" -d 'Get real time events from the server'
complete -c strata -n "__fish_strata_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand serve" -s H -l host -d 'Where to listen: unix:///PATH or tcp://HOST:PORT (repeatable; default unix://RUNROOT/docker.sock)' -r
complete -c strata -n "__fish_strata_using_subcommand serve" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand serve" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand runtime" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand __network-teardown" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand __network-teardown" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand __rm-tree" -l fd -d 'The directory\'s locked fd, inherited (held until the end)' -r
complete -c strata -n "__fish_strata_using_subcommand __rm-tree" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand __rm-tree" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand __monitor" -l resume -d 'A monitor restarting its container (fds it kept, by number)' -r
complete -c strata -n "__fish_strata_using_subcommand __monitor" -l attach-first -d 'Wait for the first attach before starting (run -it)'
complete -c strata -n "__fish_strata_using_subcommand __monitor" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand __monitor" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand __gen-docs" -s h -l help -d 'Print help'
complete -c strata -n "__fish_strata_using_subcommand __gen-docs" -s V -l version -d 'Print version'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "run" -d 'Run a command in a new container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "create" -d 'Create a new container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "start" -d 'Start one or more stopped containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "stop" -d 'Stop one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "kill" -d 'Kill one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "exec" -d 'Execute a command in a running container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "restart" -d 'Restart one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "top" -d 'Display the running processes of a container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "update" -d 'Update configuration of one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "ps" -d 'List containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "rm" -d 'Remove one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "container" -d 'Manage containers'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "images" -d 'List images'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "image" -d 'Manage images'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "rmi" -d 'Remove one or more images'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "history" -d 'Show the history of an image'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "pull" -d 'Download an image from a registry'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "push" -d 'Upload an image to a registry'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "login" -d 'Log in to a registry'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "logout" -d 'Log out from a registry'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "inspect" -d 'Return low-level information on containers and images'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "version" -d 'Show the strata version information'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "info" -d 'Display system-wide information'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "rename" -d 'Rename a container'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "events" -d 'Get real time events from the server'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "volume" -d 'Manage volumes'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "network" -d 'Manage networks'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "system" -d 'Manage strata'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "serve" -d 'Serve the Docker Engine API (for the docker CLI, compose and the SDKs)'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "runtime" -d 'Act as an OCI runtime, with runc\'s command line (also as `strata-runc`)'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "__network-teardown" -d 'Remove the default bridge and its NAT table (no container may use it)'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "__rm-tree" -d 'Delete a removed container\'s directory (an --rm run\'s, after its exit)'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "__monitor" -d 'Run and watch a detached container (started by run -d and start)'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "__gen-docs" -d 'Write the man pages and shell completions (for packagers)'
complete -c strata -n "__fish_strata_using_subcommand help; and not __fish_seen_subcommand_from run create start stop kill wait logs exec attach restart pause unpause top update stats ps rm container images image tag rmi build commit diff history export import pull push login logout save load inspect port version info rename cp events volume network system serve runtime __network-teardown __rm-tree __monitor __gen-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "ls" -d 'List containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "run" -d 'Create and run a new container from an image'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "create" -d 'Create a new container'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "start" -d 'Start one or more stopped containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "stop" -d 'Stop one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "restart" -d 'Restart one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "kill" -d 'Kill one or more running containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "logs" -d 'Fetch the logs of a container'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "exec" -d 'Execute a command in a running container'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "attach" -d 'Attach to a running container'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "top" -d 'Display the running processes of a container'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "update" -d 'Update configuration of one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rm" -d 'Remove one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "prune" -d 'Remove all stopped containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rename" -d 'Rename a container'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "ls" -d 'List images'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove one or more images'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "prune" -d 'Remove unused images'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "pull" -d 'Download an image from a registry'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "push" -d 'Upload an image to a registry'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "history" -d 'Show the history of an image'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "create" -d 'Create a volume'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "ls" -d 'List volumes'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "rm" -d 'Remove one or more volumes'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "prune" -d 'Remove unused local volumes'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "create" -d 'Create a network'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "ls" -d 'List networks'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "rm" -d 'Remove one or more networks'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "prune" -d 'Remove all unused networks'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "connect" -d 'Connect a container to a network'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "info" -d 'Display system-wide information'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "df" -d 'Show docker disk usage'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "prune" -d 'Remove unused data'
complete -c strata -n "__fish_strata_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "events" -d 'Get real time events from the server'
