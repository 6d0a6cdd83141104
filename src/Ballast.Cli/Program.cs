Console.WriteLine("ballast");
