package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"List every pgscribe setting: its value as resolved now, its environment variable and meaning."})
final class ConfigCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Override
    public Integer call() {
        PgscribeCommand.quietLogs();
        Settings s = parent.settings();
        System.out.println("# from " + (s.file() == null ? "defaults" : s.file()) + ", the environment and -s flags");
        for (Setting setting : Setting.values()) {
            String value = s.get(setting);
            if (setting.isSecret() && value != null && !value.isEmpty()) {
                value = "(set, not shown)";
            }
            System.out.println("# " + setting.description() + " [" + setting.environmentVariable() + ", default: "
                    + (setting.defaultValue().isEmpty() ? "empty" : setting.defaultValue()) + "]");
            System.out.println(setting.key() + "=" + value);
        }
        return ExitCode.OK;
    }
}
