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
        Settings s = parent.allSettings();
        System.out.println("# from " + (s.file() == null ? "defaults" : s.file()) + ", the environment and -s flags"
                + (s.pipeline() == null ? "" : ", for the database " + s.pipeline()));
        for (Setting setting : Setting.values()) {
            System.out.println("# " + setting.description() + " [" + setting.environmentVariable() + ", default: "
                    + (setting.defaultValue().isEmpty() ? "empty" : setting.defaultValue()) + "]");
            System.out.println(setting.key() + "=" + shown(s, setting));
        }
        if (s.pipeline() == null && !s.databases().isEmpty()) {
            // what each database has of its own, set or following from its name
            for (Settings p : s.pipelines()) {
                System.out.println();
                System.out.println("# database " + p.pipeline() + " (pgscribe.database." + p.pipeline() + ".*)");
                for (Setting setting : Setting.values()) {
                    if (setting != Setting.DATABASES && !p.get(setting).equals(s.get(setting))) {
                        System.out.println(Settings.DATABASE_PREFIX + p.pipeline() + "." + setting.key().substring("pgscribe.".length())
                                + "=" + shown(p, setting));
                    }
                }
            }
        }
        return ExitCode.OK;
    }

    private static String shown(Settings s, Setting setting) {
        return setting.shown(s.get(setting));
    }
}
